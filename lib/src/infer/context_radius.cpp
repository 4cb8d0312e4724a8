// SPDX-License-Identifier: Apache-2.0
// The measured context radius (see infer/context_radius.hpp).
#include "infer/context_radius.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "aekit/inference.hpp"
#include "aekit/random.hpp"

namespace aekit::infer {

namespace {

int roundUp(int v, int m) { return (v + m - 1) / m * m; }

// C planes of S x S: a smooth gradient, sharp-edged rectangles and Gaussian noise of a random level
// per probe (strong noise is what a denoiser reaches furthest for).
std::vector<float> probeImage(int C, int S, uint64_t seed) {
    Random rng(seed);
    std::vector<float> img(size_t(C) * S * S);
    const double sigma = 0.05 + 0.15 * rng.uniform();
    struct Rect {
        int x0, y0, x1, y1;
        float v;
    };
    std::vector<Rect> rects;
    for (int k = 0; k < 12; ++k) {
        const int x = int(rng.below(uint64_t(S))), y = int(rng.below(uint64_t(S)));
        rects.push_back({x, y, x + 4 + int(rng.below(uint64_t(S / 3))), y + 4 + int(rng.below(uint64_t(S / 3))), float(rng.uniform())});
    }
    for (int c = 0; c < C; ++c)
        for (int y = 0; y < S; ++y)
            for (int x = 0; x < S; ++x) {
                double v = 0.2 + 0.6 * (x + (c + 1) * y) / double((c + 2) * S);
                for (const auto& r : rects)
                    if (x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1) v = 0.5 * v + 0.5 * r.v;
                img[size_t((int64_t(c) * S + y) * S + x)] = float(std::clamp(v + sigma * rng.normal(), 0.0, 1.0));
            }
    return img;
}

}  // namespace

uint64_t contextProbeBytes(Network& net) {
    const Architecture& a = net.architecture();
    const int align = a.alignment();
    const int S = 2 * roundUp((a.receptiveField() + 1) / 2, align) + 4 * align;
    net.setShape(1, S, S);
    return net.shapeBytes();
}

int measureContextRadius(Network& net, float tolerance) {
    const Architecture& a = net.architecture();
    const int align = a.alignment(), C = a.inChannels, outC = a.outChannels;
    const int bound = roundUp((a.receptiveField() + 1) / 2, align);
    const int B = 4 * align;           // the checked block: many pixels, every phase of the pooling grid
    const int S = 2 * bound + B;       // the block [bound, bound + B) sees all it can
    std::vector<std::vector<float>> probes, full;
    for (uint64_t seed : {11u, 12u, 13u}) {
        probes.push_back(probeImage(C, S, seed));
        net.setShape(1, S, S);
        std::copy(probes.back().begin(), probes.back().end(), net.input());
        net.forward();
        full.emplace_back(net.output(), net.output() + size_t(outC) * S * S);
    }
    // True when a tile of side 2r + B around the block reproduces the block's output.
    auto enough = [&](int r) {
        const int T = 2 * r + B, origin = bound - r;
        net.setShape(1, T, T);
        for (size_t p = 0; p < probes.size(); ++p) {
            float* in = net.input();
            for (int c = 0; c < C; ++c)
                for (int y = 0; y < T; ++y)
                    std::copy_n(&probes[p][size_t((int64_t(c) * S + origin + y) * S + origin)], T, in + (int64_t(c) * T + y) * T);
            net.forward();
            const float* o = net.output();
            for (int c = 0; c < outC; ++c)
                for (int y = 0; y < B; ++y)
                    for (int x = 0; x < B; ++x) {
                        const float tile = o[(int64_t(c) * T + r + y) * T + r + x];
                        const float whole = full[p][size_t((int64_t(c) * S + bound + y) * S + bound + x)];
                        if (std::fabs(tile - whole) > tolerance) return false;
                    }
        }
        return true;
    };
    // Binary search over multiples of the alignment (more context never hurts in practice; the
    // answer is checked, and the bound needs no check: it is the receptive field).
    int lo = 0, hi = bound / align;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (enough(mid * align))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo * align;
}

int storedContextRadius(const Model& model) {
    const auto it = model.metadata.find("aekit.context");
    if (it == model.metadata.end()) return -1;
    const auto j = nlohmann::json::parse(it->second, nullptr, false);
    if (!j.is_object() || !j.contains("radius") || !j["radius"].is_number_integer() || !j.contains("tolerance") ||
        !j["tolerance"].is_number() || std::fabs(j["tolerance"].get<double>() - double(kContextTolerance)) > 1e-6)
        return -1;
    const int64_t r = j["radius"].get<int64_t>();
    return r >= 0 && r < (1 << 20) ? int(r) : -1;
}

}  // namespace aekit::infer

namespace aekit {

std::string contextMetadata(int radius) {
    return nlohmann::json{{"radius", radius}, {"tolerance", double(infer::kContextTolerance)}}.dump();
}

}  // namespace aekit
