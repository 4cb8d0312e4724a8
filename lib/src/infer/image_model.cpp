// Tiled inference and the task front ends (see aekit/inference.hpp).
#include <algorithm>
#include <cmath>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/network.hpp"
#include "tasks/codec.hpp"

namespace aekit {

namespace {

// Index into [0, n) of position i under repeated mirror reflection (edge pixel not repeated... except n == 1).
int reflect(int i, int n) {
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

}  // namespace

struct ImageModel::Impl {
    Model model;
    InferenceOptions options;
    Network net;
    tasks::ColorizeHead head;
    int align, margin;
    double bytesPerPixel;  // network activations per input pixel, all tensors alive at once

    Impl(Model m, const InferenceOptions& o)
        : model(std::move(m)), options(o), net(model.arch, Mode::Inference) {
        net.setWeights(model.weights);
        if (model.task == Task::Colorize) head = tasks::ColorizeHead::fromMetadata(model.metadata, "model");
        const Architecture& a = model.arch;
        align = a.alignment();
        // A margin of half the receptive field: every kept pixel sees all it depends on.
        margin = roundUp((a.receptiveField() + 1) / 2, align);
        double channels = a.inChannels + a.outChannels * (a.residual ? 2 : 1);
        for (int l = 0; l < a.levels(); ++l) {
            const double s = 1.0 / double(1 << (2 * l));
            channels += s * (a.convsPerLevel * (a.encoder[l] + a.decoder[l]) + a.encoder[l] / 4.0);
            channels += s * (a.skips ? 2 * a.encoder[l] + (l + 1 < a.levels() ? a.decoder[l + 1] : a.code) : 0);
            channels += s * (l + 1 < a.levels() ? a.decoder[l + 1] : a.code);
        }
        channels += a.convsPerLevel * a.code / double(1 << (2 * a.levels()));
        bytesPerPixel = channels * 4 * 1.15 + 64;  // + oneDNN scratchpad and weights, rounded up
    }

    int tileFor(int H, int W) const {
        const int paddedH = roundUp(H, align) + 2 * margin, paddedW = roundUp(W, align) + 2 * margin;
        if (options.tile > 0) return std::max(roundUp(options.tile, align), 2 * margin + align);
        // Budget: what is left after the image's own planes (input, output, conversions).
        const double imageBytes = double(H) * W * 4 * (model.arch.inChannels + model.arch.outChannels) * 2.0;
        const double budget = std::max(64.0 * (1 << 20), double(options.maxMemoryMB) * (1 << 20) - imageBytes);
        int side = static_cast<int>(std::sqrt(budget / bytesPerPixel));
        side = std::max(side / align * align, 2 * margin + align);
        return std::min(side, std::max(paddedH, paddedW));
    }

    std::vector<float> run(const float* src, int H, int W) {
        const Architecture& a = model.arch;
        const int inC = a.inChannels, outC = a.outChannels;
        // The padded frame: margin on every side, and the far sides up to the alignment.
        const int PH = roundUp(H, align) + 2 * margin, PW = roundUp(W, align) + 2 * margin;
        const int T = tileFor(H, W);
        const int tileH = std::min(T, PH), tileW = std::min(T, PW);
        const int stepH = tileH - 2 * margin, stepW = tileW - 2 * margin;  // kept core per tile
        net.setShape(1, tileH, tileW);
        std::vector<float> out(size_t(outC) * H * W);
        const int64_t tilePlane = int64_t(tileH) * tileW;
        // Tiles whose cores cover [0, H) x [0, W); origins on the alignment grid of the padded frame.
        for (int y0 = 0; y0 < H; y0 += stepH)
            for (int x0 = 0; x0 < W; x0 += stepW) {
                // Tile origin in padded coordinates, clamped so the tile stays inside the frame.
                const int ty = std::min(y0, PH - tileH), tx = std::min(x0, PW - tileW);
                float* in = net.input();
                for (int c = 0; c < inC; ++c)
                    for (int i = 0; i < tileH; ++i) {
                        const int sy = reflect(ty + i - margin, H);
                        const float* row = src + (int64_t(c) * H + sy) * W;
                        float* dst = in + c * tilePlane + int64_t(i) * tileW;
                        for (int j = 0; j < tileW; ++j) dst[j] = row[reflect(tx + j - margin, W)];
                    }
                net.forward();
                const float* o = net.output();
                const int yEnd = std::min(H, y0 + stepH), xEnd = std::min(W, x0 + stepW);
                for (int c = 0; c < outC; ++c)
                    for (int y = y0; y < yEnd; ++y) {
                        const float* row = o + c * tilePlane + int64_t(y + margin - ty) * tileW + (margin - tx);
                        std::copy(row + x0, row + xEnd, out.begin() + (int64_t(c) * H + y) * W + x0);
                    }
            }
        return out;
    }
};

ImageModel::ImageModel(Model model, const InferenceOptions& options)
    : impl_(std::make_unique<Impl>(std::move(model), options)) {}
ImageModel::~ImageModel() = default;
const Model& ImageModel::model() const { return impl_->model; }
std::vector<float> ImageModel::run(const float* planes, int H, int W) { return impl_->run(planes, H, W); }
int ImageModel::tileFor(int H, int W) const { return impl_->tileFor(H, W); }

Image ImageModel::denoise(const Image& image, double sigma) {
    const Model& m = impl_->model;
    if (m.task != Task::Denoise) fail(ErrorKind::InvalidArgument, std::string("the model is a ") + toString(m.task) + " model, not a denoiser");
    if (image.channels != m.arch.inChannels)
        fail(ErrorKind::InvalidArgument, "image has " + std::to_string(image.channels) + " channel(s), the model takes " +
                                             std::to_string(m.arch.inChannels) + " (choose a " +
                                             (image.channels == 1 ? "gray" : "colour") + " model)");
    Image out = image;
    const auto result = run(image.pixels.data(), image.height, image.width);
    double w = 1.0;
    if (sigma > 0) {
        double sq = 0;
        for (size_t i = 0; i < result.size(); ++i) sq += double(image.pixels[i] - result[i]) * (image.pixels[i] - result[i]);
        const double removed = 255.0 * std::sqrt(sq / double(result.size()));
        w = removed > sigma ? sigma / removed : 1.0;
    }
    for (size_t i = 0; i < result.size(); ++i)
        out.pixels[i] = static_cast<float>(image.pixels[i] + w * (result[i] - image.pixels[i]));
    return out;
}

Image ImageModel::reconstruct(const Image& image) {
    const Model& m = impl_->model;
    if (m.arch.inChannels != image.channels || m.arch.outChannels != image.channels)
        fail(ErrorKind::InvalidArgument, "image channels do not fit the model's");
    Image out = image;
    out.pixels = run(image.pixels.data(), image.height, image.width);
    return out;
}

Image ImageModel::colorize(const Image& image, std::vector<std::string>* notes) {
    const Model& m = impl_->model;
    if (m.task != Task::Colorize) fail(ErrorKind::InvalidArgument, std::string("the model is a ") + toString(m.task) + " model, not a colorizer");
    if (image.channels == 3 && notes) notes->push_back("input is already in colour; colorized from its lightness");
    const Image L = lightness(image);  // full resolution, [0,100]
    // Working resolution: the long side at most colorizeSize.
    int w = image.width, h = image.height;
    const int size = impl_->options.colorizeSize;
    if (size > 0 && std::max(w, h) > size) {
        const double s = double(size) / std::max(w, h);
        w = std::max(1, int(std::lround(w * s)));
        h = std::max(1, int(std::lround(h * s)));
    }
    Image small = (w == image.width && h == image.height) ? L : resizeImage(L, w, h);
    for (float& v : small.pixels) v /= tasks::kLScale;
    const auto logits = run(small.pixels.data(), h, w);
    Image ab = impl_->head.decode(logits.data(), h, w);
    if (w != image.width || h != image.height) ab = resizeImage(ab, image.width, image.height);
    Image rgb = labToRgb(mergeLab(L, ab));
    rgb.bitDepth = image.bitDepth;
    rgb.alpha = image.alpha;
    rgb.metadataSource = image.metadataSource;
    return rgb;
}

}  // namespace aekit
