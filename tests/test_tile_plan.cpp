// SPDX-License-Identifier: Apache-2.0
// The memory plan of tiled inference on its own (infer::TilePlan), with networks played by cost
// functions: a tile's real cost always fits, the largest that fits is taken, the network is asked
// once per shape, budgets too small are refused with what they need, bands cover the frame.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "aekit/error.hpp"
#include "infer/tile_plan.hpp"

using namespace aekit;
using infer::Held;
using infer::TilePlan;

namespace {

// A network whose buffers cost `perPixel` bytes per tile pixel plus `fixed`, and `spike` times
// more beyond 512 x 512 pixels (oneDNN picks other kernels, with larger scratchpads, at some
// shapes; the plan's line through two small shapes does not see it). Counts what it is asked.
struct FakeNetwork {
    double fixed = 8e6, perPixel = 600, spike = 1.0;
    std::map<std::pair<int, int>, int> asked;
    double cost(int h, int w) {
        ++asked[{h, w}];
        const double c = fixed + perPixel * h * w;
        return int64_t(h) * w > 512 * 512 ? c * spike : c;
    }
    infer::TileCost fn() {
        return [this](int h, int w) { return cost(h, w); };
    }
};

InferenceOptions budget(uint64_t megabytes, bool ceiling) {
    InferenceOptions o;
    o.maxMemoryMB = megabytes;
    o.maxMemoryIsCeiling = ceiling;
    return o;
}

}  // namespace

TEST_CASE("tile plan: a small image is one tile, the network asked once for its shape") {
    FakeNetwork net;
    TilePlan plan(budget(1536, false), 16, 48, net.fn());
    const Held held = TilePlan::inPlace(300, 500, 3, 8);
    const auto [h, w] = plan.chooseTile(300, 500, held);
    CHECK(h == 304);  // the frame: 300 rounded up to the alignment
    CHECK(w == 512);
    (void)plan.chooseTile(300, 500, held);
    CHECK(net.asked.at({304, 512}) == 1);  // the second plan of the same image asks nothing
}

TEST_CASE("tile plan: under a ceiling the chosen tile's real cost fits, also where the network costs more than its line") {
    const InferenceOptions o = budget(1000, true);
    const double planned = double(o.maxMemoryMB) * (1 << 20) * 0.95;
    const int H = 3000, W = 4000;
    const Held held = TilePlan::inPlace(H, W, 3, 8);
    int linear = 0;
    for (double spike : {1.0, 1.3}) {
        CAPTURE(spike);
        FakeNetwork net;
        net.spike = spike;
        TilePlan plan(o, 16, 48, net.fn());
        const int FH = plan.frame(H), FW = plan.frame(W);
        const int side = plan.tileSide(H, W, held);
        const auto [h, w] = plan.tileShape(FH, FW, side);
        CAPTURE(side);
        CAPTURE(h);
        CAPTURE(w);
        CHECK(side < W);
        CHECK(side >= plan.usefulTile());
        CHECK(net.cost(h, w) + held.bytes(h) <= planned);  // what the network really needs, within the budget
        if (spike == 1.0) {
            linear = side;
            continue;
        }
        // The line's side costs more than it said: the plan took the largest smaller side that fits.
        CHECK(side < linear);
        const auto [h2, w2] = plan.tileShape(FH, FW, side + 64);
        CHECK(net.cost(h2, w2) + held.bytes(h2) > planned);
    }
}

TEST_CASE("tile plan: budgets too small are refused with what they need") {
    FakeNetwork net;
    net.perPixel = 4000;
    // The network alone cannot hold its smallest useful tile (192 px: 4 x 48) in 100 MB.
    TilePlan tight(budget(100, true), 16, 48, net.fn());
    try {
        tight.refuseTooSmallBudget();
        FAIL("not refused");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::InvalidArgument);
        CHECK(std::string(e.what()).find("--max-memory 100 MB is too small for this model") != std::string::npos);
    }
    // The default budget is a target: it grows rather than refuse.
    TilePlan target(budget(100, false), 16, 48, net.fn());
    CHECK_NOTHROW(target.refuseTooSmallBudget());
    CHECK(target.tileSide(8000, 8000, TilePlan::inPlace(8000, 8000, 3, 8)) >= target.usefulTile());
    // An image whose planes leave too little under a ceiling that the network alone fits in.
    TilePlan plan(budget(300, true), 16, 48, net.fn());
    CHECK_NOTHROW(plan.refuseTooSmallBudget());
    try {
        plan.tileSide(6000, 8000, TilePlan::inPlace(6000, 8000, 3, 8));
        FAIL("not refused");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("is too small for a 8000x6000 image with this model: it needs about") != std::string::npos);
    }
}

TEST_CASE("tile plan: --tile is taken as given, raised to a useful tile when asked") {
    FakeNetwork net;
    InferenceOptions o = budget(1536, false);
    o.tile = 100;
    TilePlan plan(o, 16, 48, net.fn());
    CHECK(plan.tileSide(1000, 1000, Held{}) == 112);  // rounded up to the alignment, above 2 x 48 + 16
    o.raiseSmallTile = true;
    TilePlan raised(o, 16, 48, net.fn());
    CHECK(raised.tileSide(1000, 1000, Held{}) == 192);
    o.tile = 5000;
    TilePlan whole(o, 16, 48, net.fn());
    CHECK(whole.tileSide(1000, 700, Held{}) == 1008);  // not beyond the frame
}

TEST_CASE("tile plan: bands cover the frame in order, each pixel written once") {
    FakeNetwork net;
    TilePlan plan(budget(1536, false), 16, 48, net.fn());
    for (int F : {96, 500, 1008, 4000})
        for (int T : {208, 512, 1024}) {
            CAPTURE(F);
            CAPTURE(T);
            const auto bands = plan.bands(F, T);
            int next = 0;
            for (const auto& b : bands) {
                CHECK(b.begin == next);
                CHECK(b.origin >= 0);
                CHECK(b.origin + std::min(T, F) <= F);
                CHECK(b.begin >= b.origin);
                CHECK(b.end <= b.origin + std::min(T, F));
                // Every written row has `overlap` rows of context inside its tile, except at the frame's edges.
                if (b.begin > 0) CHECK(b.begin - b.origin >= plan.overlap());
                if (b.end < F) CHECK(b.origin + T - b.end >= plan.overlap());
                next = b.end;
            }
            CHECK(next == F);
        }
}

TEST_CASE("tile plan: a folder's read-ahead gets a share of a target, none of a ceiling") {
    CHECK(TilePlan::pipelineImagePixels(budget(1536, true)) == 0);
    const uint64_t pixels = TilePlan::pipelineImagePixels(budget(1536, false));
    CHECK(pixels > 4'000'000);   // a 4-MP photo is read ahead under the default budget...
    CHECK(pixels < 12'000'000);  // ...a 12-MP one is not
}
