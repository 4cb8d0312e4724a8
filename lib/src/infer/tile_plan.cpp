// SPDX-License-Identifier: Apache-2.0
// The memory plan of tiled inference (see tile_plan.hpp). Every constant about memory lives here.
#include "infer/tile_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>

#include "aekit/error.hpp"

namespace aekit::infer {

namespace {

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

// A target (the default budget) gives the network at least this much whatever the image holds.
constexpr double kLeastNetworkBytes = 64.0 * (1 << 20);

// The writer's 8-bit planes, interleaved copy and encoded file beside an image's float planes
// (measured: about 1.35 x the floats).
constexpr double kWriterShare = 1.4;
// A colorizer's full-resolution planes with the guided upsampling's own buffers.
constexpr double kColourShare = 1.2;

// Each image a folder's pipeline reads ahead or writes behind may take a twentieth of the budget;
// an image there costs 3 float planes and the decoder's 8-bit interleaved copy per pixel, with the
// allocator's slack.
constexpr double kPipelineShare = 1.0 / 20;
constexpr uint64_t kPipelineBytesPerPixel = 17;

// Tiles the budget sizes are multiples of 4 alignment steps, so that every level's side is a
// multiple of 4, Winograd F(4x4, 3x3)'s output block: measured 2026-12-02 (photo model, 2 threads),
// 656-px tiles ran at 1.26 MP/s where 640 and 704 ran at 1.70 and 1.62 (the deepest level 41 px).
constexpr int tileStep(int align) { return 4 * align; }

// A thin image's tiles are stretched along its length to up to this many times the square side.
constexpr int kStretch = 4;

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

int64_t megabytesToName(double bytes) { return int64_t(std::ceil(bytes / kPlannedShare / (1 << 20) / 50) * 50); }

uint64_t pipelineImageBytes(const InferenceOptions& options) {
    return options.maxMemoryIsCeiling ? 0 : uint64_t(double(options.maxMemoryMB) * (1 << 20) * kPipelineShare);
}

}  // namespace

double Held::bytes(int tileRows) const { return fixed + std::max(writer, perTileRow * tileRows); }

Held TilePlan::separateOutput(int H, int W, int inC, int outC) {
    return {double(H) * W * 4 * (inC + outC) * kWriterShare + kProcessBytes, 0, 0};
}

// Denoising in place: the image's C float planes, and then either the rows that wait to be written
// back (at most a tile's rows, all columns) or, once computed, the writer's interleaved copy at the
// image's depth and its encoded file (at most as large).
Held TilePlan::inPlace(int H, int W, int C, int bitDepth) {
    const double samples = double(H) * W * C;
    return {samples * 4 + kProcessBytes, samples * (bitDepth > 8 ? 2 : 1) * 2, double(W) * C * 4};
}

Held TilePlan::colorizer(int H, int W, int planes, int w, int h) {
    return {double(H) * W * planes * 4 * kColourShare + double(w) * h * 4 * 4 + kProcessBytes, 0, 0};
}

uint64_t TilePlan::pipelineImagePixels(const InferenceOptions& options) { return pipelineImageBytes(options) / kPipelineBytesPerPixel; }

TilePlan::TilePlan(const InferenceOptions& options, int align, int overlap, TileCost cost)
    : options_(options), align_(align), overlap_(overlap), cost_(std::move(cost)) {
    // The line through two shapes: the larger is the smallest useful tile, so that what a refusal
    // says a run needs is that tile's real cost.
    const int s1 = 4 * align_, s2 = std::max(16 * align_, usefulTile());
    const double b1 = this->cost(s1, s1), b2 = this->cost(s2, s2);
    bytesPerPixel_ = std::max(1.0, (b2 - b1) / (double(s2) * s2 - double(s1) * s1));
    fixedBytes_ = std::max(0.0, b1 - bytesPerPixel_ * s1 * s1);
}

double TilePlan::cost(int H, int W) {
    const auto key = std::make_pair(H, W);
    const auto known = costs_.find(key);
    if (known != costs_.end()) return known->second;
    return costs_[key] = cost_(H, W);
}

void TilePlan::forgetCosts() { costs_.clear(); }

int TilePlan::frame(int side) const { return roundUp(side, align_); }
int TilePlan::usefulTile() const { return roundUp(4 * overlap_, align_); }

double TilePlan::plannedBytes() const { return double(options_.maxMemoryMB) * (1 << 20) * kPlannedShare; }

// A ceiling gives the network only what is left under it (a tile that fits in 64 MB would otherwise
// run past a smaller ceiling).
double TilePlan::networkBudget(const Held& held, int tileRows) const {
    const double left = plannedBytes() - held.bytes(tileRows);
    return options_.maxMemoryIsCeiling ? left : std::max(kLeastNetworkBytes, left);
}

void TilePlan::refuseTooSmallBudget() {
    if (!options_.maxMemoryIsCeiling) return;
    const int useful = usefulTile();
    const double least = cost(useful, useful);
    if (least > plannedBytes())
        fail(ErrorKind::InvalidArgument, "--max-memory " + std::to_string(options_.maxMemoryMB) +
                                             " MB is too small for this model: its smallest useful tile is " + std::to_string(useful) +
                                             " px, and it needs about " + std::to_string(megabytesToName(least + kProcessBytes)) +
                                             " MB with the smallest image");
}

bool TilePlan::fits(int FH, int FW, int side, const Held& held) {
    const auto [h, w] = tileShape(FH, FW, side);
    return cost(h, w) <= networkBudget(held, h);
}

int TilePlan::tileSide(int H, int W, const Held& held) {
    const int FH = frame(H), FW = frame(W), longest = std::max(FH, FW);
    const int smallest = 2 * overlap_ + align_;
    if (options_.tile > 0)
        // A tile beyond the frame is the frame (and rounding a side near INT_MAX up would overflow).
        return std::min(std::max(roundUp(std::min(options_.tile, longest), align_), options_.raiseSmallTile ? usefulTile() : smallest),
                        longest);
    // The first candidate: the side the line through two shapes says fits (from above, on the tile
    // step); then the network is asked what that tile really costs (at some shapes oneDNN picks
    // kernels with larger scratchpads: up to 13% more per pixel on AVX-512), and, when it does not
    // fit, the largest side on the step between the useful tile and it that does.
    const int step = tileStep(align_);
    auto lineFits = [&](int side) { return fixedBytes_ + double(side) * side * bytesPerPixel_ <= networkBudget(held, std::min(side, FH)); };
    int side = static_cast<int>(std::sqrt(std::max(0.0, networkBudget(held, 0) - fixedBytes_) / bytesPerPixel_));
    side = std::max(side / step * step, smallest);
    while (side > smallest && !lineFits(side)) side = std::max(smallest, side - step);
    side = std::min(side, longest);
    // A tile keeps its inner T - 2 x overlap; below 4 x overlap most of its work is thrown away (a
    // 240-px tile keeping 16 px: hours for a large photo).
    const int useful = std::min(usefulTile(), longest);
    if (side > useful && !fits(FH, FW, side, held)) {
        int lo = useful, hi = side;  // lo fits or is the floor; hi does not fit
        for (int k = (lo + step - 1) / step, top = (hi - 1) / step; k <= top;) {
            const int mid = (k + top) / 2;
            if (fits(FH, FW, mid * step, held)) {
                lo = mid * step;
                k = mid + 1;
            } else {
                top = mid - 1;
            }
        }
        side = lo;
    }
    if (side <= useful && !fits(FH, FW, useful, held)) {
        if (options_.maxMemoryIsCeiling) {
            const auto [h, w] = tileShape(FH, FW, useful);
            fail(ErrorKind::InvalidArgument, "--max-memory " + std::to_string(options_.maxMemoryMB) + " MB is too small for a " +
                                                 std::to_string(W) + "x" + std::to_string(H) + " image with this model: it needs about " +
                                                 std::to_string(megabytesToName(held.bytes(h) + cost(h, w))) + " MB");
        }
        side = useful;
    }
    return std::max(side, useful);
}

std::pair<int, int> TilePlan::tileShape(int FH, int FW, int T) const {
    int tileH = std::min(T, FH), tileW = std::min(T, FW);
    if (options_.tile <= 0) return leastWorkTile(FH, FW, T);
    // A thin image gets long tiles of the same area: square ones would be mostly overlap.
    if (tileH < T) tileW = std::min({FW, kStretch * T, std::max(tileW, int(int64_t(T) * T / tileH) / align_ * align_)});
    if (tileW < T) tileH = std::min({FH, kStretch * T, std::max(tileH, int(int64_t(T) * T / tileW) / align_ * align_)});
    return {tileH, tileW};
}

std::pair<int, int> TilePlan::chooseTile(int H, int W, const Held& held) { return tileShape(frame(H), frame(W), tileSide(H, W, held)); }

// The tile shape of at most T x T pixels (sides multiples of tileStep, or the frame's own) that
// covers an FH x FW frame with the least network work: square tiles of the largest side often
// leave a last row or column that is mostly overlap (a 4000x3000 photo in 832-px tiles: 30
// tiles, 20.8 MP of work; in 896x640 tiles: 32, 18.4 MP). Ties go to fewer tiles, then squarer.
// Not beyond T x T although the budget often holds more (T is a multiple of tileStep below the
// budget's side): shapes up to the budget's area measured slower (docs/performance.md).
std::pair<int, int> TilePlan::leastWorkTile(int FH, int FW, int T) const {
    const int step = tileStep(align_), lowest = std::min(usefulTile(), T);
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

// The block keeps what a larger image touched while the budget allows, less a folder's images read
// ahead and written behind and the freed memory a long run's heap holds (measured after 150 of 200
// small photos: 55-91 MB free in a 177-MB heap, and peaks of 1572-1602 MB under the 1536-MB target
// with the pipeline's share alone left out).
size_t TilePlan::blockLimit(const Held& held, int tileRows) const {
    return size_t(std::max(1.0, networkBudget(held, tileRows) - 2.0 * double(pipelineImageBytes(options_)) - kHeapSlackShare * plannedBytes()));
}

// Tiles overlap by 2 x overlap, a band ends `overlap` before its tile's inner edge, so every written
// pixel sees its whole receptive field, exactly as in one pass over the frame.
std::vector<Band> TilePlan::bands(int F, int T) const {
    std::vector<Band> out;
    if (T >= F) return {{0, 0, F}};
    const int step = T - 2 * overlap_;
    int begin = 0;
    for (int o = 0;; o += step) {
        if (o + T >= F) {
            out.push_back({F - T, begin, F});
            break;
        }
        out.push_back({o, begin, o + T - overlap_});
        begin = o + T - overlap_;
    }
    return out;
}

}  // namespace aekit::infer
