// SPDX-License-Identifier: Apache-2.0
// Tiled inference and the task front ends (see aekit/inference.hpp).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
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
#include "core/dihedral.hpp"
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

// What the process holds besides images and network buffers: code, libraries, weights, oneDNN's
// JIT kernels, thread stacks, a decoder's and an encoder's buffers (83 MB resident for `aekit
// info`). 64 MB fell short on an AVX2 CPU (a denoise at the 500 MB budget aekit named peaked at
// 501 MB), 80 MB on an AVX-512 one (650 MB named, 660 MB peak), 100 MB by 28-33 MB on AVX-512 with
// OpenCV 4.6's libraries (2026-12-03: 800x600 to 3200x2400 photos at 300 and 600 MB ceilings).
constexpr double kProcessBytes = 140e6;

// The share of --max-memory that aekit plans to fill. The rest covers what neither measurement
// sees: allocator slack, thread stacks, page-granular mappings. With all of the budget planned, a
// 1600x1200 denoise peaked 0.2% over 350 MB on an AVX-512 CPU and 1% over on another machine.
constexpr double kPlannedShare = 0.95;

// The share of the budget left for what a long run's heap holds freed beside the process's
// kProcessBytes (measured: 55-91 MB after 150 photos of mixed sizes), when the network's block
// keeps pages between images.
constexpr double kHeapSlackShare = 0.1;

// Tiles the budget sizes are multiples of 4 alignment steps, so that every level's side is a
// multiple of 4, Winograd F(4x4, 3x3)'s output block: measured 2026-12-02 (photo model, 2 threads),
// 656-px tiles ran at 1.26 MP/s where 640 and 704 ran at 1.70 and 1.62 (the deepest level 41 px).
constexpr int tileStep(int align) { return 4 * align; }

// A thin image's tiles are stretched along its length to up to this many times the square side.
constexpr int kStretch = 4;

struct ImageModel::Impl {
    Model model;
    InferenceOptions options;
    Network net;
    tasks::ColorizeHead head;
    // A colorizer's class scores (261 channels) are decoded a strip of this many rows at a time: a
    // plain copy of a whole tile's scores would cost 1 KB per pixel.
    static constexpr int kStripRows = 32;
    int align, overlap;
    int halfField;
    int contextRadius = -1;     // px, denoisers and autoencoders: -1 until known
    double measureSeconds = 0;  // when measured here

    void setContext(int radius) {
        contextRadius = radius;
        overlap = std::min(halfField, radius + align);
    }
    // Measures the context radius if it is not known yet (colorizers keep half the field).
    void ensureContext() {
        if (model.task == Task::Colorize || contextRadius >= 0) return;
        const auto t0 = std::chrono::steady_clock::now();
        // Within the budget only: beyond it the receptive field's half, always enough, is kept.
        if (double(infer::contextProbeBytes(net)) > plannedBytes()) {
            setContext(halfField);
            return;
        }
        setContext(infer::measureContextRadius(net, infer::kContextTolerance));
        measureSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    double bytesPerPixel;  // network buffers per tile pixel (measured in the constructor)
    double fixedBytes;     // and their part that does not grow with the tile

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
        // Each inner tile edge overlaps by the context the network measurably uses (a kept pixel's
        // output then differs from the whole image's by at most kContextTolerance), plus one
        // alignment step of margin for content the probes did not have. A colorizer's outputs are
        // class scores, not pixels: it keeps half the receptive field.
        // The radius comes from the model file (training measures it) or is measured here, the first
        // time an image needs more than one tile (a few seconds; single-tile images never pay it).
        halfField = roundUp((a.receptiveField() + 1) / 2, align);
        overlap = halfField;
        if (model.task != Task::Colorize) {
            const int stored = infer::storedContextRadius(model);
            if (stored >= 0 && stored % align == 0 && stored <= halfField) setContext(stored);
        }
        // What a tile costs, measured: the network's buffers at two shapes (layouts, padding of
        // 3-channel tensors to 16 in blocked layouts, and Winograd's scratchpad all included), as
        // fixed bytes plus bytes per pixel; the larger shape is the smallest useful tile, so that
        // what a refusal says a run needs is that tile's real cost.
        if (model.task == Task::Colorize) net.setOutputStrips(kStripRows);
        const int s1 = 4 * align, s2 = std::max(16 * align, usefulTile());
        net.setShape(1, s1, s1);
        const double b1 = double(net.shapeBytes());
        net.setShape(1, s2, s2);
        const double b2 = double(net.shapeBytes());
        bytesPerPixel = std::max(1.0, (b2 - b1) / (double(s2) * s2 - double(s1) * s1));
        fixedBytes = std::max(0.0, b1 - bytesPerPixel * s1 * s1);
        // Under a ceiling, a model whose network alone cannot hold its smallest useful tile in it is
        // refused before any image (each image's own need, with what it holds, is checked at its turn).
        const int useful = usefulTile();
        const double least = fixedBytes + double(useful) * useful * bytesPerPixel;
        const double needMB = (least + kProcessBytes) / kPlannedShare / (1 << 20);
        if (options.maxMemoryIsCeiling && least > plannedBytes())
            fail(ErrorKind::InvalidArgument, "--max-memory " + std::to_string(options.maxMemoryMB) +
                                                 " MB is too small for this model: its smallest useful tile is " + std::to_string(useful) +
                                                 " px, and it needs about " + std::to_string(int64_t(std::ceil(needMB / 50) * 50)) +
                                                 " MB with the smallest image");
    }

    // The frame: the image reflect-padded at its bottom and right up to the alignment. No wider
    // margin: 16 px of reflected context on every side (1.21x the pixels of a 500x375 photo) scored
    // the same or 0.01 dB lower than none for every shipped model (2026-12-03, docs/performance.md).
    int frameH(int H) const { return roundUp(H, align); }
    int frameW(int W) const { return roundUp(W, align); }

    // What an image holds beside the network's block while it is computed and then written: the
    // larger of `writer` and `perTileRow` x a tile's rows, plus `fixed` (kProcessBytes included).
    struct Held {
        double fixed = 0, writer = 0, perTileRow = 0;
        double bytes(int tileRows) const { return fixed + std::max(writer, perTileRow * tileRows); }
    };
    // Input and output floats of H x W, plus the 8-bit planes, interleaved copy and encoded file of
    // the writer (measured: about 1.35 x the floats).
    static Held separateOutput(int H, int W, int inC, int outC) { return {double(H) * W * 4 * (inC + outC) * 1.4 + kProcessBytes, 0, 0}; }
    // Denoising in place (runInto): the image's C float planes, and then either the rows that wait to
    // be written back (at most a tile's rows, all columns) or, once computed, the writer's
    // interleaved copy at the image's depth and its encoded file (at most as large).
    static Held inPlace(int H, int W, int C, int bitDepth) {
        const double samples = double(H) * W * C;
        return {samples * 4 + kProcessBytes, samples * (bitDepth > 8 ? 2 : 1) * 2, double(W) * C * 4};
    }
    Held denoiseHeld(int H, int W, int bitDepth = 8) const {
        const Architecture& a = model.arch;
        return options.ensemble == 1 && a.inChannels == a.outChannels ? inPlace(H, W, a.inChannels, bitDepth)
                                                                       : separateOutput(H, W, a.inChannels, a.outChannels);
    }

    // A tile keeps its inner T - 2 x overlap: at 4 x overlap, half of each side.
    int usefulTile() const { return roundUp(4 * overlap, align); }

    double plannedBytes() const { return double(options.maxMemoryMB) * (1 << 20) * kPlannedShare; }

    // The network's budget beside what the image holds with tiles of `tileRows` rows.
    // A target gives the network at least 64 MB whatever the image holds; a ceiling gives it only
    // what is left under it (a tile that fits in 64 MB would otherwise run past a smaller ceiling).
    double networkBudget(const Held& held, int tileRows) const {
        const double left = plannedBytes() - held.bytes(tileRows);
        return options.maxMemoryIsCeiling ? left : std::max(64.0 * (1 << 20), left);
    }

    // held: what the image holds beside the network (the weights, code, libraries and JIT kernels
    // sit in its kProcessBytes).
    int tileFor(int H, int W, const Held& held) const {
        const int FH = frameH(H), FW = frameW(W);
        const int smallest = 2 * overlap + align;
        if (options.tile > 0)
            // A tile beyond the frame is the frame (and rounding a side near INT_MAX up would overflow).
            return std::min(std::max(roundUp(std::min(options.tile, std::max(FH, FW)), align), options.raiseSmallTile ? usefulTile() : smallest),
                            std::max(FH, FW));
        auto fits = [&](int side) { return fixedBytes + double(side) * side * bytesPerPixel <= networkBudget(held, std::min(side, FH)); };
        int side = static_cast<int>(std::sqrt(std::max(0.0, networkBudget(held, 0) - fixedBytes) / bytesPerPixel));
        side = std::max(side / tileStep(align) * tileStep(align), smallest);
        while (side > smallest && !fits(side)) side = std::max(smallest, side - tileStep(align));
        // A tile keeps its inner T - 2 x overlap; below 4 x overlap most of its work is thrown away
        // (a 240-px tile keeping 16 px: hours for a large photo).
        const int useful = std::min(usefulTile(), std::max(FH, FW));
        if (side < useful) {
            if (options.maxMemoryIsCeiling) {
                const double needMB = (held.bytes(std::min(useful, FH)) + fixedBytes + double(useful) * useful * bytesPerPixel) / kPlannedShare / (1 << 20);
                fail(ErrorKind::InvalidArgument, "--max-memory " + std::to_string(options.maxMemoryMB) + " MB is too small for a " +
                                                     std::to_string(W) + "x" + std::to_string(H) + " image with this model: it needs about " +
                                                     std::to_string(int64_t(std::ceil(needMB / 50) * 50)) + " MB");
            }
            side = useful;
        }
        return std::min(side, std::max(FH, FW));
    }

    // The tile shape of at most T x T pixels (sides multiples of tileStep, or the frame's own) that
    // covers an FH x FW frame with the least network work: square tiles of the largest side often
    // leave a last row or column that is mostly overlap (a 4000x3000 photo in 832-px tiles: 30
    // tiles, 20.8 MP of work; in 896x640 tiles: 32, 18.4 MP). Ties go to fewer tiles, then squarer.
    // Not beyond T x T although the budget often holds more (T is a multiple of tileStep below the
    // budget's side): shapes up to the budget's area measured slower (docs/performance.md).
    std::pair<int, int> leastWorkTile(int FH, int FW, int T) const {
        const int step = tileStep(align), lowest = std::min(usefulTile(), T);
        const int64_t area = int64_t(T) * T;
        std::tuple<int64_t, int, int> best{std::numeric_limits<int64_t>::max(), 0, 0};
        std::pair<int, int> shape{std::min(T, FH), std::min(T, FW)};
        for (int h = roundUp(lowest, step);; h += step) {
            const int th = std::min(h, FH);
            for (int w = roundUp(lowest, step); int64_t(th) * w <= area && w <= kStretch * T; w += step) {
                const int tw = std::min(w, FW);
                const int n = int(bands(FH, th).size() * bands(FW, tw).size());
                const std::tuple<int64_t, int, int> cost{int64_t(n) * th * tw, n, std::abs(th - tw)};
                if (cost < best) {
                    best = cost;
                    shape = {th, tw};
                }
                if (tw == FW) break;
            }
            if (th == FH || int64_t(h) * roundUp(lowest, step) > area || h >= kStretch * T) break;
        }
        return shape;
    }

    // Tile origins along one axis of length F (frame), tile T, and the band of frame rows each tile
    // writes: tiles overlap by 2 x overlap, a band ends `overlap` before its tile's inner edge, so every
    // written pixel sees its whole receptive field, exactly as in one pass over the frame.
    struct Band {
        int origin, begin, end;
    };
    std::vector<Band> bands(int F, int T) const {
        std::vector<Band> out;
        if (T >= F) return {{0, 0, F}};
        const int step = T - 2 * overlap;
        int begin = 0;
        for (int o = 0;; o += step) {
            if (o + T >= F) {
                out.push_back({F - T, begin, F});
                break;
            }
            out.push_back({o, begin, o + T - overlap});
            begin = o + T - overlap;
        }
        return out;
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
        net.setOutputStrips(decodeColour ? kStripRows : 0);
        const int TH = d.transpose ? W : H, TW = d.transpose ? H : W;  // the transformed image's size
        const int FH = frameH(TH), FW = frameW(TW);
        int T = tileFor(TH, TW, held), tileH = 0, tileW = 0;
        if (T < std::max(FH, FW) && contextRadius < 0 && model.task != Task::Colorize) {  // tiled: overlap as measured
            ensureContext();
            T = tileFor(TH, TW, held);
        }
        auto shapeTiles = [&] {
            tileH = std::min(T, FH);
            tileW = std::min(T, FW);
            if (options.tile > 0) {
                // A thin image gets long tiles of the same area: square ones would be mostly overlap.
                if (tileH < T) tileW = std::min({FW, kStretch * T, std::max(tileW, int(int64_t(T) * T / tileH) / align * align)});
                if (tileW < T) tileH = std::min({FH, kStretch * T, std::max(tileH, int(int64_t(T) * T / tileW) / align * align)});
            } else {
                std::tie(tileH, tileW) = leastWorkTile(FH, FW, T);
            }
            // The block keeps what a larger image touched while the budget allows, less a folder's
            // images read ahead and written behind and the freed memory a long run's heap holds
            // (measured after 150 of 200 small photos: 55-91 MB free in a 177-MB heap, and peaks of
            // 1572-1602 MB under the 1536-MB target with the pipeline's share alone left out).
            net.setBlockLimit(size_t(std::max(1.0, networkBudget(held, tileH) - 2.0 * double(pipelineImageBytes(options)) - kHeapSlackShare * plannedBytes())));
            net.setShape(1, tileH, tileW);
        };
        shapeTiles();
        // The cost per pixel measured in the constructor is a line through two small shapes; at some
        // shapes oneDNN picks other kernels with larger scratchpads (up to 13% more per pixel on
        // AVX-512). The chosen shape's own buffers are checked against the budget (allocated, not
        // yet touched), and the tile shrunk until they fit.
        if (options.tile <= 0) {
            const int smallest = std::min(usefulTile(), std::max(FH, FW));
            while (double(net.shapeBytes()) > networkBudget(held, tileH) && T > smallest) {
                T = std::max(smallest, (T - T / 20) / tileStep(align) * tileStep(align));
                shapeTiles();
            }
        }
        const int64_t tilePlane = int64_t(tileH) * tileW;
        const std::vector<Band> rowBands = bands(FH, tileH), columnBands = bands(FW, tileW);
        // In place: kept rows wait in `pending` (image rows [pendingBegin, pendingBegin + rows), C
        // planes of all columns) until no later band of tiles reads them. Band k's tiles read the
        // image rows its frame rows reflect to; the rows below the least of those for every later
        // band are final. One tile: its input is all read before its output comes, so that goes
        // straight into the image (no image-sized buffer to fault in for each small photo).
        const bool viaPending = inPlace && rowBands.size() * columnBands.size() > 1;
        std::vector<float> pending;
        int pendingBegin = 0;
        std::vector<int> firstRowRead(rowBands.size() + 1, TH);
        if (viaPending) {
            for (size_t k = rowBands.size(); k-- > 0;) {
                firstRowRead[k] = firstRowRead[k + 1];
                for (int i = 0; i < tileH; ++i) firstRowRead[k] = std::min(firstRowRead[k], reflect(rowBands[k].origin + i, TH));
            }
            core::assignOnHugePages(pending, size_t(outC) * tileH * W);
        }
        const int pendingRows = tileH;
        // Rows [pendingBegin, row) into the image; those up to `end` (the last kept) moved up.
        auto flushBelow = [&](int row, int end) {
            if (row <= pendingBegin) return;
            const int n = row - pendingBegin, rest = end - row;
            for (int c = 0; c < outC; ++c) {
                float* plane = pending.data() + int64_t(c) * pendingRows * W;
                std::copy(plane, plane + int64_t(n) * W, out.data() + (int64_t(c) * H + pendingBegin) * W);
                std::copy(plane + int64_t(n) * W, plane + int64_t(n + rest) * W, plane);
            }
            pendingBegin = row;
        };
        for (size_t k = 0; k < rowBands.size(); ++k) {
            const Band& by = rowBands[k];
            for (const Band& bx : columnBands) {
                float* in = net.input();
                for (int c = 0; c < inC; ++c)
                    for (int i = 0; i < tileH; ++i) {
                        const int ty = reflect(by.origin + i, TH);
                        float* dst = in + c * tilePlane + int64_t(i) * tileW;
                        if (d.identity()) {
                            const float* row = src + (int64_t(c) * H + ty) * W;
                            for (int j = 0; j < tileW; ++j) dst[j] = row[reflect(bx.origin + j, W)];
                        } else {
                            for (int j = 0; j < tileW; ++j) dst[j] = src[int64_t(c) * H * W + d.sourceIndex(ty, reflect(bx.origin + j, TW), TH, TW, W)];
                        }
                    }
                net.forward();
                // The band's frame rows and columns that are image pixels.
                const int y0 = by.begin, y1 = std::min(by.end, TH);
                const int x0 = bx.begin, x1 = std::min(bx.end, TW);
                // Rows [r0, r1) of the tile's output, `plane` apart, whose first row is tile row r0.
                auto keep = [&](const float* o, int r0, int r1, int64_t plane) {
                    for (int c = 0; c < outC; ++c)
                        for (int y = std::max(y0, by.origin + r0); y < std::min(y1, by.origin + r1); ++y) {
                            const float* row = o + c * plane + int64_t(y - by.origin - r0) * tileW - bx.origin;
                            if (viaPending) {
                                std::copy(row + x0, row + x1, pending.data() + (int64_t(c) * pendingRows + y - pendingBegin) * W + x0);
                                continue;
                            }
                            float* dst = out.data() + int64_t(c) * H * W;
                            if (d.identity() && weight == 1.f) {
                                std::copy(row + x0, row + x1, dst + int64_t(y) * W + x0);
                            } else {
                                for (int x = x0; x < x1; ++x) dst[d.sourceIndex(y, x, TH, TW, W)] += weight * row[x];
                            }
                        }
                };
                if (!decodeColour) {
                    keep(net.output(), 0, tileH, tilePlane);
                    continue;
                }
                // Class scores to ab a strip at a time, only the strips holding kept rows.
                const int R = net.outputStripRows();
                for (int r0 = (y0 - by.origin) / R * R; r0 < y1 - by.origin; r0 += R) {
                    const Image ab = head.decode(net.outputRows(r0), R, tileW);
                    keep(ab.pixels.data(), r0, r0 + R, int64_t(R) * tileW);
                }
            }
            const int end = std::min(by.end, TH);
            if (viaPending) flushBelow(std::min(firstRowRead[k + 1], end), end);
        }
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
    return impl_->run(planes, H, W, Impl::separateOutput(H, W, a.inChannels, a.outChannels));
}
void ImageModel::releaseMemory() { impl_->net.releaseBlock(); }

uint64_t pipelineImageBytes(const InferenceOptions& options) {
    return options.maxMemoryIsCeiling ? 0 : options.maxMemoryMB * (uint64_t(1) << 20) / 20;
}

int ImageModel::tileFor(int H, int W) const { return impl_->tileFor(H, W, impl_->denoiseHeld(H, W)); }
int ImageModel::smallestUsefulTile() const { return impl_->usefulTile(); }
double ImageModel::tileBytesPerPixel() const { return impl_->bytesPerPixel; }
double ImageModel::tileFixedBytes() const { return impl_->fixedBytes; }
int ImageModel::tileOverlap() {
    impl_->ensureContext();
    return impl_->overlap;
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
    net.setOutputStrips(strips ? Impl::kStripRows : 0);
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
    const Impl::Held held = Impl::separateOutput(H, W, m.arch.inChannels, m.arch.outChannels);
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
    const double fullPlanes = double(image.planeSize()) * ((inputPixels ? 0 : image.channels) + 1 + 3);
    const Held held{fullPlanes * 4 * 1.2 + double(w) * h * 4 * 4 + kProcessBytes, 0, 0};
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
