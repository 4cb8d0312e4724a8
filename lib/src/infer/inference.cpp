// SPDX-License-Identifier: Apache-2.0
// ImageModel: the denoise, colorize and reconstruct front ends over the tile plan (tile_plan.cpp,
// which chooses tiles within the memory budget) and the tile runner (tile_runner.cpp, which runs them).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <tuple>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/network.hpp"
#include "aekit/random.hpp"
#include "core/huge_pages.hpp"
#include "infer/context_radius.hpp"
#include "infer/tile_plan.hpp"
#include "infer/tile_runner.hpp"
#include "core/dihedral.hpp"
#include "tasks/codec.hpp"

namespace aekit {

namespace {

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

}  // namespace

using infer::Held;
using infer::TilePlan;

struct ImageModel::Impl {
    Model model;
    InferenceOptions options;
    Network net;
    tasks::ColorizeHead head;
    // A colorizer's class scores (261 channels) are decoded a strip of this many rows at a time: a
    // plain copy of a whole tile's scores would cost 1 KB per pixel.
    static constexpr int kStripRows = 32;
    int align;
    int halfField;
    int contextRadius = -1;     // px, denoisers and autoencoders: -1 until known
    double measureSeconds = 0;  // when measured here
    int stripRows = -1;         // the network's output strips now (0: whole output)
    std::optional<TilePlan> plan;

    void setContext(int radius) {
        contextRadius = radius;
        if (plan) plan->setOverlap(overlapFor(radius));
    }
    // Each inner tile edge overlaps by the context the network measurably uses (a kept pixel's
    // output then differs from the whole image's by at most kContextTolerance), plus one alignment
    // step of margin for content the probes did not have; at most half the receptive field.
    int overlapFor(int radius) const { return radius < 0 ? halfField : std::min(halfField, radius + align); }
    // Measures the context radius if it is not known yet (colorizers keep half the field).
    void ensureContext() {
        if (model.task == Task::Colorize || contextRadius >= 0) return;
        const auto t0 = std::chrono::steady_clock::now();
        // Within the budget only: beyond it the receptive field's half, always enough, is kept.
        if (double(infer::contextProbeBytes(net)) > plan->plannedBytes()) {
            setContext(halfField);
            return;
        }
        setContext(infer::measureContextRadius(net, infer::kContextTolerance));
        measureSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    void setStrips(int rows) {
        if (rows == stripRows) return;
        net.setOutputStrips(rows);
        stripRows = rows;
        if (plan) plan->forgetCosts();
    }

    Impl(Model m, const InferenceOptions& o)
        : model(std::move(m)), options(o), net(model.arch, Mode::Inference, o.precision) {
        o.check();
        net.setWeights(model.weights);
        // Weight copies kept for other tile shapes are not in the budget's measure: a ceiling keeps none.
        if (o.maxMemoryIsCeiling) net.setKeptWeightLayouts(1);
        if (model.task == Task::Colorize) {
            head = tasks::ColorizeHead::fromMetadata(model.metadata, "model");
            if (o.vividness >= 0) head.vividness = float(o.vividness);
            if (!o.colourDecode.empty()) head.rule = tasks::AbBins::parseRule(o.colourDecode);
            if (o.colorizeSize >= 0) head.workingSize = o.colorizeSize;
        }
        const Architecture& a = model.arch;
        align = a.alignment();
        // A colorizer's outputs are class scores, not pixels: it keeps half the receptive field. A
        // denoiser's radius comes from the model file (training measures it) or is measured here, the
        // first time an image needs more than one tile (a few seconds; single-tile images never pay it).
        halfField = roundUp((a.receptiveField() + 1) / 2, align);
        if (model.task != Task::Colorize) {
            const int stored = infer::storedContextRadius(model);
            if (stored >= 0 && stored % align == 0 && stored <= halfField) contextRadius = stored;
        }
        setStrips(model.task == Task::Colorize ? kStripRows : 0);
        // What a tile costs is asked of the network at the tile's shape (layouts, padding of
        // 3-channel tensors to 16 in blocked layouts, and Winograd's scratchpad all included).
        plan.emplace(options, align, overlapFor(contextRadius), [this](int h, int w) {
            net.setShape(1, h, w);
            return double(net.shapeBytes());
        });
        // Under a ceiling, a model whose network alone cannot hold its smallest useful tile in it is
        // refused before any image (each image's own need, with what it holds, is checked at its turn).
        plan->refuseTooSmallBudget();
    }

    Held denoiseHeld(int H, int W, int bitDepth = 8) const {
        const Architecture& a = model.arch;
        return options.ensemble == 1 && a.inChannels == a.outChannels ? TilePlan::inPlace(H, W, a.inChannels, bitDepth)
                                                                       : TilePlan::separateOutput(H, W, a.inChannels, a.outChannels);
    }

    Image colorize(const Image& image, std::vector<float>* inputPixels, std::vector<std::string>* notes);

    // The model's output planes for C x H x W input planes; for a colorizer with decodeColour, the
    // ab planes decoded tile by tile (2 channels, never the full set of bin scores).
    std::vector<float> run(const float* src, int H, int W, const Held& held, bool decodeColour = false) {
        std::vector<float> out;
        core::assignOnHugePages(out, size_t(decodeColour ? 2 : model.arch.outChannels) * H * W);
        runInto(out, src, H, W, held, decodeColour, Dihedral{}, 1.f);
        return out;
    }

    // run() on the image seen through a flip or rotation d: the network sees the transformed image
    // (tiles are filled through the mapping, no transformed copy is made) and its output is mapped
    // back into out: assigned for the identity with weight 1, else added with `weight` (the ensemble).
    // src == out.data() (identity, weight 1, as many output channels as input): in place, the
    // output replacing the image a band of rows at a time once no later tile reads them.
    void runInto(std::vector<float>& out, const float* src, int H, int W, const Held& held, bool decodeColour,
                 const Dihedral& d, float weight) {
        const Architecture& a = model.arch;
        const int inC = a.inChannels, outC = decodeColour ? 2 : a.outChannels;
        const bool inPlace = src == out.data();
        if (inPlace && !(d.identity() && weight == 1.f && inC == outC))
            fail(ErrorKind::InvalidArgument, "in-place inference needs the identity view and as many output channels as input");
#ifdef __GLIBC__
        // Freed temporaries of the decoder stay resident in the heap until trimmed, and a ceiling
        // counts only live buffers (measured: a 1600x1200 denoise at --max-memory 250 peaked at 261 MB
        // untrimmed). Under the default target they stay, for the next image to reuse without faults.
        if (options.maxMemoryIsCeiling) malloc_trim(0);
#endif
        setStrips(decodeColour ? kStripRows : 0);
        const int TH = d.transpose ? W : H, TW = d.transpose ? H : W;  // the transformed image's size
        const int FH = plan->frame(TH), FW = plan->frame(TW);
        // The plan asks the network what candidate tiles cost, at their shapes: what it may keep of
        // its block meanwhile is what it could keep beside the tallest tile.
        net.setBlockLimit(plan->blockLimit(held, FH));
        auto [tileH, tileW] = plan->chooseTile(TH, TW, held);
        if ((tileH < FH || tileW < FW) && contextRadius < 0 && model.task != Task::Colorize) {  // tiled: overlap as measured
            ensureContext();
            std::tie(tileH, tileW) = plan->chooseTile(TH, TW, held);
        }
        net.setBlockLimit(plan->blockLimit(held, tileH));
        net.setShape(1, tileH, tileW);
        infer::TileJob job{src, H, W, inC, outC, d, weight, {}};
        if (decodeColour) job.decode = [this](const float* scores, int rows, int width) { return head.decode(scores, rows, width); };
        infer::runTiles(net, *plan, tileH, tileW, out, job);
    }
};

void InferenceOptions::check() const {
    if (tile < 0) fail(ErrorKind::InvalidArgument, "--tile: 0 (automatic) or a side in pixels");
    if (maxMemoryMB == 0 || maxMemoryMB > (1ull << 40)) fail(ErrorKind::InvalidArgument, "--max-memory: a positive number of MB, at most 2^40");
    if (colorizeSize < -1) fail(ErrorKind::InvalidArgument, "--size: 0 (full resolution) or a side in pixels");
    if (ensemble != 1 && ensemble != 8) fail(ErrorKind::InvalidArgument, "--ensemble: 1 or 8, not " + std::to_string(ensemble));
    if (!(vividness == -1 || (vividness >= 0 && vividness <= 1))) fail(ErrorKind::InvalidArgument, "--vividness: from 0 (faithful) to 1 (vivid)");
    if (!colourDecode.empty() && colourDecode != "mean" && colourDecode != "neutral-or-colour")
        fail(ErrorKind::InvalidArgument, "--colour-decode: mean or neutral-or-colour");
}

ImageModel::ImageModel(Model model, const InferenceOptions& options)
    : impl_(std::make_unique<Impl>(std::move(model), options)) {}
ImageModel::~ImageModel() = default;
const Model& ImageModel::model() const { return impl_->model; }
std::vector<float> ImageModel::run(const float* planes, int H, int W) {
    const Architecture& a = impl_->model.arch;
    return impl_->run(planes, H, W, TilePlan::separateOutput(H, W, a.inChannels, a.outChannels));
}
void ImageModel::releaseMemory() { impl_->net.releaseBlock(); }

uint64_t pipelineImagePixels(const InferenceOptions& options) { return TilePlan::pipelineImagePixels(options); }

int ImageModel::tileFor(int H, int W) { return impl_->plan->tileSide(H, W, impl_->denoiseHeld(H, W)); }
int ImageModel::smallestUsefulTile() const { return impl_->plan->usefulTile(); }
double ImageModel::tileBytesPerPixel() const { return impl_->plan->bytesPerPixel(); }
double ImageModel::tileFixedBytes() const { return impl_->plan->fixedBytes(); }
int ImageModel::tileOverlap() {
    impl_->ensureContext();
    return impl_->plan->overlap();
}
int ImageModel::contextRadius() {
    impl_->ensureContext();
    return impl_->contextRadius;
}
double ImageModel::contextMeasureSeconds() const { return impl_->measureSeconds; }
double ImageModel::timeNetworkPass(int side) {
    side = roundUp(std::max(side, 1), impl_->align);
    Network& net = impl_->net;
    const bool strips = impl_->model.task == Task::Colorize;
    impl_->setStrips(strips ? Impl::kStripRows : 0);
    net.setShape(1, side, side);
    float* in = net.input();
    Random rng(side);
    for (int64_t i = 0, n = int64_t(impl_->model.arch.inChannels) * side * side; i < n; ++i) in[i] = float(rng.uniform());
    const auto t0 = std::chrono::steady_clock::now();
    net.forward();
    if (strips)
        for (int y = 0; y < side; y += net.outputStripRows()) net.outputRows(y);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Image ImageModel::denoise(const Image& image, double sigma) { return denoise(Image(image), sigma); }

Image ImageModel::denoise(Image&& image, double sigma) {
    const Model& m = impl_->model;
    if (m.task != Task::Denoise) fail(ErrorKind::InvalidArgument, std::string("the model is a ") + toString(m.task) + " model, not a denoiser");
    if (image.channels == 1 && m.arch.inChannels == 3) {  // grey through a colour model: three equal channels in, luma out
        Image rgb = grayToRgb(image);
        std::vector<float>().swap(image.pixels);
        Image out = toGray(denoise(std::move(rgb), sigma));
        out.bitDepth = image.bitDepth;
        return out;
    }
    if (image.channels != m.arch.inChannels)
        fail(ErrorKind::InvalidArgument, "image has " + std::to_string(image.channels) + " channel(s), the model takes " +
                                             std::to_string(m.arch.inChannels) + " (choose a " +
                                             (image.channels == 1 ? "gray" : "colour") + " model)");
    const int H = image.height, W = image.width;
    if (impl_->options.ensemble == 1 && sigma <= 0) {  // the output replaces the image a band at a time
        impl_->runInto(image.pixels, image.pixels.data(), H, W, impl_->denoiseHeld(H, W, image.bitDepth), false, Dihedral{}, 1.f);
        return std::move(image);
    }
    // The output is blended with the input, or gathered from 8 views of it: a separate buffer.
    std::vector<float> result;
    const Held held = TilePlan::separateOutput(H, W, m.arch.inChannels, m.arch.outChannels);
    if (impl_->options.ensemble == 8) {
        core::assignOnHugePages(result, image.pixels.size());
        for (int k = 0; k < 8; ++k) impl_->runInto(result, image.pixels.data(), H, W, held, false, Dihedral::nth(k), 1.f / 8);
    } else {
        result = impl_->run(image.pixels.data(), H, W, held);
    }
    if (sigma > 0) {
        double sq = 0;
        for (size_t i = 0; i < result.size(); ++i) sq += double(image.pixels[i] - result[i]) * (image.pixels[i] - result[i]);
        const double removed = 255.0 * std::sqrt(sq / double(result.size()));
        const double w = removed > sigma ? sigma / removed : 1.0;
        for (size_t i = 0; i < result.size(); ++i)
            result[i] = static_cast<float>(image.pixels[i] + w * (result[i] - image.pixels[i]));
    }
    image.pixels = std::move(result);
    return std::move(image);
}

Image ImageModel::reconstruct(const Image& image) {
    const Model& m = impl_->model;
    if (m.arch.inChannels != image.channels || m.arch.outChannels != image.channels)
        fail(ErrorKind::InvalidArgument, "image channels do not fit the model's");
    Image out = image;
    out.pixels = run(image.pixels.data(), image.height, image.width);
    return out;
}

Image ImageModel::colorize(const Image& image, std::vector<std::string>* notes) { return impl_->colorize(image, nullptr, notes); }
Image ImageModel::colorize(Image&& image, std::vector<std::string>* notes) { return impl_->colorize(image, &image.pixels, notes); }

// inputPixels: the image's own pixels, released once its lightness is taken (nullptr: kept).
Image ImageModel::Impl::colorize(const Image& image, std::vector<float>* inputPixels, std::vector<std::string>* notes) {
    if (model.task != Task::Colorize) fail(ErrorKind::InvalidArgument, std::string("the model is a ") + toString(model.task) + " model, not a colorizer");
    if (image.channels == 3 && notes) notes->push_back("input is already in colour; colorized from its lightness");
    const Image L = lightness(image);  // full resolution, [0,100]
    if (inputPixels) std::vector<float>().swap(*inputPixels);
    // Working resolution: the long side at most colorizeSize.
    int w = image.width, h = image.height;
    const int size = head.workingSize;
    if (size > 0 && std::max(w, h) > size) {
        const double s = double(size) / std::max(w, h);
        w = std::max(1, int(std::lround(w * s)));
        h = std::max(1, int(std::lround(h * s)));
    }
    Image small = (w == image.width && h == image.height) ? L : resizeImage(L, w, h);
    for (float& v : small.pixels) v /= tasks::kLScale;
    // Held beside the network: the input (unless released), L and the result at full size, and the
    // writer's share.
    const Held held = TilePlan::colorizer(image.height, image.width, (inputPixels ? 0 : image.channels) + 1 + 3, w, h);
    Image ab;
    ab.width = w;
    ab.height = h;
    ab.channels = 2;
    ab.pixels = run(small.pixels.data(), h, w, held, true);
    Image rgb = labToRgb(L, ab, options.guidedColour);  // ab upsampled a strip at a time
    rgb.bitDepth = image.bitDepth;
    rgb.alpha = image.alpha;
    rgb.metadataSource = image.metadataSource;
    return rgb;
}

}  // namespace aekit
