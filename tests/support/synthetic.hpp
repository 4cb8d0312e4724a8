// SPDX-License-Identifier: Apache-2.0
// Images the tests make themselves: smooth colour fields with edges (blobs, bars, gradients),
// deterministic from a seed.
#pragma once
#include <cmath>

#include "aekit/image.hpp"
#include "aekit/random.hpp"

namespace testutil {

inline aekit::Image syntheticImage(int W, int H, int channels, uint64_t seed) {
    aekit::Image im = aekit::Image::blank(W, H, channels, 8);
    aekit::Random rng(seed);
    auto u = [](aekit::Random& r) { return r.uniform(); };
    for (int c = 0; c < channels; ++c) {
        const double gx = u(rng) - 0.5, gy = u(rng) - 0.5, base = 0.3 + 0.4 * u(rng);
        float* p = im.plane(c);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) p[y * W + x] = static_cast<float>(base + 0.4 * (gx * x / W + gy * y / H));
    }
    for (int k = 0; k < 6; ++k) {  // discs and bars with sharp edges
        const double cx = u(rng) * W, cy = u(rng) * H, r = (0.1 + 0.25 * u(rng)) * std::min(W, H);
        const bool bar = k % 2;
        std::vector<double> colour(channels);
        for (auto& v : colour) v = u(rng);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                const bool inside = bar ? std::abs(x - cx) < r / 3 && std::abs(y - cy) < r
                                        : (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                if (inside)
                    for (int c = 0; c < channels; ++c) im.plane(c)[y * W + x] = static_cast<float>(colour[c]);
            }
    }
    aekit::quantize(im);
    return im;
}

// A colour "scan" of a handwritten page: cream paper with a little grain, rows of black strokes and
// one row of blue ones (sRGB). The paper covers most of the page, as on a real scan.
inline aekit::Image syntheticScan(int W, int H, uint64_t seed) {
    aekit::Image im = aekit::Image::blank(W, H, 3, 8);
    aekit::Random rng(seed);
    const float paper[3] = {0.93f, 0.87f, 0.74f}, black[3] = {0.12f, 0.11f, 0.10f}, blue[3] = {0.14f, 0.20f, 0.50f};
    for (int64_t i = 0; i < im.planeSize(); ++i) {
        const float grain = static_cast<float>(0.02 * (rng.uniform() - 0.5));
        for (int c = 0; c < 3; ++c) im.plane(c)[i] = paper[c] + grain;
    }
    for (int row = 0, y0 = H / 8; y0 + 3 < H; ++row, y0 += H / 6) {
        const float* ink = row == 2 ? blue : black;
        for (int x = W / 10; x < W - W / 10; x += 5)
            for (int y = y0; y < y0 + 3; ++y)
                for (int dx = 0; dx < 2; ++dx)
                    for (int c = 0; c < 3; ++c) im.plane(c)[y * W + x + dx] = ink[c];
    }
    aekit::quantize(im);
    return im;
}

}  // namespace testutil
