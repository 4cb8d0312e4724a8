// SPDX-License-Identifier: Apache-2.0
// The memory plan of tiled inference, the one owner of --max-memory: what the process holds
// (libraries, JIT kernels, the heap's slack), what an image holds beside the network (its planes,
// the writer's copies, a folder's images read ahead and written behind), and what a tile's network
// buffers cost, which it asks of the network itself at the candidate shape (as Open Image Denoise
// plans its tiles). From these it chooses the tile: the largest whose real cost fits, then the
// shape of that area that covers the frame with the least work. It owns the tile geometry too
// (frame, overlap, bands). Pure: the network is reached only through the cost function.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "aekit/inference.hpp"

namespace aekit::infer {

// Bytes of the network's buffers (activations, gradients none, scratchpad, caller buffers) for one
// tile of H x W: the network built at that shape and asked.
using TileCost = std::function<double(int H, int W)>;

// What an image holds beside the network's buffers while it is computed and then written: the
// larger of `writer` and `perTileRow` x a tile's rows, plus `fixed` (the process's own included).
struct Held {
    double fixed = 0, writer = 0, perTileRow = 0;
    double bytes(int tileRows) const;
};

// One tile along an axis: where it starts in the frame, and the frame rows it writes [begin, end).
struct Band {
    int origin, begin, end;
};

class TilePlan {
public:
    // align: the network's alignment (2^levels); overlap: the context each inner tile edge keeps.
    TilePlan(const InferenceOptions& options, int align, int overlap, TileCost cost);
    void setOverlap(int overlap) { overlap_ = overlap; }
    int overlap() const { return overlap_; }
    // The network's buffers changed kind (its output strips on or off): costs are asked again.
    void forgetCosts();
    // The bytes aekit plans to fill: a share of --max-memory (the rest is allocator slack and what
    // no measurement sees).
    double plannedBytes() const;

    // What an image of H x W holds, by how it is computed: a separate output image; the output
    // replacing the input a band at a time (in place, bitDepth for the writer's copy); a colorizer's
    // full-resolution planes (`planes` of them: the input unless released, L and the result) with
    // its working-size input and output (w x h).
    static Held separateOutput(int H, int W, int inC, int outC);
    static Held inPlace(int H, int W, int C, int bitDepth);
    static Held colorizer(int H, int W, int planes, int w, int h);

    // The frame: the image's side padded up to the alignment.
    int frame(int side) const;
    // A tile keeps its inner T - 2 x overlap: at 4 x overlap, half of each side.
    int usefulTile() const;

    // Under a ceiling, refuses a network that cannot hold its smallest useful tile within it (asked
    // once, before any image), naming the budget it needs.
    void refuseTooSmallBudget();

    // The tile side for an H x W image (before the frame-shaped tile is chosen): --tile's, or the
    // largest side on the tile step whose tile's real cost fits beside `held`; refuses under a
    // ceiling an image that cannot be done with useful tiles.
    int tileSide(int H, int W, const Held& held);
    // The tile shape for an FH x FW frame at side T: the least-work shape of at most T x T pixels
    // (automatic tiles), or --tile's square, stretched along a thin image.
    std::pair<int, int> tileShape(int FH, int FW, int T) const;
    // tileSide and tileShape together, for an H x W image: the tile the image is computed with.
    std::pair<int, int> chooseTile(int H, int W, const Held& held);

    // The bytes the network's activation block may keep between images (beside a tile of tileRows).
    size_t blockLimit(const Held& held, int tileRows) const;
    // Tile origins along one axis of length F at tile T, and the frame rows each writes.
    std::vector<Band> bands(int F, int T) const;

    // The largest image a folder's pipeline reads ahead or writes behind beside the one being
    // computed (0: none, under a ceiling, where the network's tiles take the whole budget).
    static uint64_t pipelineImagePixels(const InferenceOptions& options);

    // The network's cost as a line through two shapes: bytes per tile pixel and the part that does
    // not grow with the tile (for reports; tiles are chosen by their real cost).
    double bytesPerPixel() const { return bytesPerPixel_; }
    double fixedBytes() const { return fixedBytes_; }

private:
    double cost(int H, int W);
    double networkBudget(const Held& held, int tileRows) const;
    bool fits(int FH, int FW, int side, const Held& held);
    std::pair<int, int> leastWorkTile(int FH, int FW, int T) const;

    InferenceOptions options_;
    int align_, overlap_;
    TileCost cost_;
    std::map<std::pair<int, int>, double> costs_;  // asked of the network, by shape
    double bytesPerPixel_ = 1, fixedBytes_ = 0;
};

}  // namespace aekit::infer
