// SPDX-License-Identifier: Apache-2.0
// Runs a network over a whole image in the tiles the plan chose: each tile copied in (reflected at
// the image's borders, through a flip or rotation), run, and its inner band kept, so that every
// kept pixel saw its whole context, exactly as in one pass over the frame. In place when the output
// is the input: kept rows wait until no later tile reads the rows they replace.
#pragma once
#include <functional>
#include <vector>

#include "aekit/image.hpp"
#include "aekit/network.hpp"
#include "core/dihedral.hpp"
#include "infer/tile_plan.hpp"

namespace aekit::infer {

struct TileJob {
    const float* src;    // inC x H x W planes
    int H, W, inC, outC;  // outC: planes written into the output
    Dihedral view;       // the network sees the image through it; its output is mapped back
    float weight;        // identity and 1: outputs assigned; else added with this weight (the ensemble)
    // The network's output given a strip of `rows` rows at a time and turned into outC planes (a
    // colorizer's class scores to ab); unset: the output planes as they are.
    std::function<Image(const float* strip, int rows, int width)> decode;
};

// net is set to tileH x tileW (and to output strips when job.decode is set); out holds outC x H x W
// floats, or is the input itself (src == out.data(): the identity view, weight 1, outC == inC).
void runTiles(Network& net, const TilePlan& plan, int tileH, int tileW, std::vector<float>& out, const TileJob& job);

}  // namespace aekit::infer
