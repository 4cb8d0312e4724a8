// SPDX-License-Identifier: Apache-2.0
// The camera noise model and the noise statistics that check it: the raw stage against its
// specified variance, the whole pipeline's correlations against the ranges measured on real photos
// (docs/camera-noise.md), determinism, the choice grammar, and the statistics against noise whose
// figures are known in closed form.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include "aekit/random.hpp"

#include "aekit/error.hpp"
#include "aekit/noise.hpp"
#include "aekit/noise_stats.hpp"
#include "noise/camera_noise.hpp"
#include "support/synthetic.hpp"

using namespace aekit;

namespace {

Image flat(int W, int H, const std::vector<float>& rgb) {
    Image im = Image::blank(W, H, int(rgb.size()));
    for (int c = 0; c < im.channels; ++c) std::fill(im.plane(c), im.plane(c) + im.planeSize(), rgb[size_t(c)]);
    return im;
}

// A grid of flat colour tiles (brightness 0.1-0.9), each 32 px: flat regions at many levels.
Image tiles(int W, int H, uint64_t seed) {
    Image im = Image::blank(W, H, 3);
    Random rng(seed);
    auto u = [](Random& r) { return float(r.uniform(0.1, 0.9)); };
    for (int ty = 0; ty < H; ty += 32)
        for (int tx = 0; tx < W; tx += 32) {
            const float base = u(rng);
            for (int c = 0; c < 3; ++c) {
                const float v = std::clamp(base + 0.1f * (u(rng) - 0.5f), 0.f, 1.f);
                for (int y = ty; y < std::min(H, ty + 32); ++y)
                    for (int x = tx; x < std::min(W, tx + 32); ++x) im.plane(c)[y * W + x] = v;
            }
        }
    return im;
}

}  // namespace

TEST_CASE("camera noise, raw stage: variance = shot * x + read, linear in the linear signal") {
    const double shot = 3.2e-3, read = 2e-5;
    Random rng(5);
    std::vector<double> xs, vars;
    for (double x : {0.02, 0.1, 0.3, 0.6, 0.9}) {
        std::vector<float> raw(400000, float(x));
        camera::addRawNoise(raw, shot, read, rng);
        double s = 0, s2 = 0;
        for (float v : raw) {
            s += v;
            s2 += double(v) * v;
        }
        const double mean = s / double(raw.size()), var = s2 / double(raw.size()) - mean * mean;
        CAPTURE(x);
        CHECK(mean == doctest::Approx(x).epsilon(0.01));
        CHECK(var == doctest::Approx(shot * x + read).epsilon(0.02));  // 400k samples: about 0.2% std error
        xs.push_back(x);
        vars.push_back(var);
    }
    // Least-squares line through (x, variance): slope is the shot level, intercept the read level.
    const double n = double(xs.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
        sx += xs[i];
        sy += vars[i];
        sxx += xs[i] * xs[i];
        sxy += xs[i] * vars[i];
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx), intercept = (sy - slope * sx) / n;
    CHECK(slope == doctest::Approx(shot).epsilon(0.02));
    CHECK(intercept == doctest::Approx(read).epsilon(0.5));
}

TEST_CASE("camera noise: drawn cameras span ISO 100-12800 with read noise following shot noise") {
    Random rng(1);
    double minIso = 1e9, maxIso = 0;
    for (int i = 0; i < 2000; ++i) {
        const camera::Parameters p = camera::draw(100, 12800, rng);
        minIso = std::min(minIso, p.iso);
        maxIso = std::max(maxIso, p.iso);
        CHECK(p.shot == doctest::Approx(camera::kShotPerIso * p.iso));
        // log read = 2.18 log shot + 1.20 + N(0, 0.26): within 5 standard deviations.
        CHECK(std::abs(std::log(p.read) - (2.18 * std::log(p.shot) + 1.20)) < 5 * 0.26);
    }
    CHECK(minIso < 110);
    CHECK(maxIso > 11500);
}

TEST_CASE("camera noise: correlated between neighbours and channels as measured on real photos") {
    // Measured on RNI15's camera photos (docs/camera-noise.md): luma correlation at 1 px 0.14-0.66,
    // chroma at 1 px 0.15-0.80, chroma 54% of the variance on average. The simulated camera is
    // checked against the ranges its draws should cover, averaged over cameras.
    const NoiseSpec spec = NoiseSpec::parse("camera:800-6400");
    double luma1 = 0, chroma1 = 0, chroma2 = 0, share = 0, luma3 = 0;
    const int cameras = 12;
    for (int k = 0; k < cameras; ++k) {
        const Image clean = tiles(256, 256, uint64_t(k));
        Image noisy = clean;
        applyNoise(spec, noisy, uint64_t(100 + k));
        const NoiseStats s = measureNoise(noisy, {}, &clean);
        luma1 += s.lumaCorrelation[0] / cameras;
        luma3 += s.lumaCorrelation[2] / cameras;
        chroma1 += s.chromaCorrelation[0] / cameras;
        chroma2 += s.chromaCorrelation[1] / cameras;
        share += s.chromaShare / cameras;
    }
    CAPTURE(luma1);
    CAPTURE(chroma1);
    CAPTURE(chroma2);
    CAPTURE(share);
    CHECK(luma1 > 0.2);   // white noise: 0 (checked below)
    CHECK(luma1 < 0.7);
    CHECK(std::abs(luma3) < 0.15);  // short-range: gone by 3 px
    CHECK(chroma1 > 0.5);  // chroma blotchier than luma
    CHECK(chroma1 > luma1);
    CHECK(chroma2 > 0.2);
    CHECK(share > 0.4);
    CHECK(share < 0.85);
}

TEST_CASE("camera noise: same seed, same bytes; 8-bit output; grey images get luma noise") {
    const Image clean = testutil::syntheticImage(70, 45, 3, 4);  // odd sizes: padded to macroblocks inside
    const NoiseSpec spec = NoiseSpec::parse("camera:100-12800");
    Image a = clean, b = clean, c = clean;
    applyNoise(spec, a, 9);
    applyNoise(spec, b, 9);
    applyNoise(spec, c, 10);
    CHECK(a.pixels == b.pixels);
    CHECK(a.pixels != c.pixels);
    for (float v : a.pixels) CHECK(std::abs(v * 255 - std::round(v * 255)) < 1e-3);
    Image grey = testutil::syntheticImage(33, 17, 1, 4), grey2 = grey;
    applyNoise(NoiseSpec::parse("camera:6400"), grey, 3);
    applyNoise(NoiseSpec::parse("camera:6400"), grey2, 3);
    CHECK(grey.pixels == grey2.pixels);
    CHECK(grey.channels == 1);
    Image tiny = flat(1, 1, {0.5f, 0.5f, 0.5f});
    applyNoise(spec, tiny, 1);  // a 1x1 image is padded, not refused
    CHECK(tiny.width == 1);
}

TEST_CASE("camera noise: the level grows with ISO") {
    const Image clean = tiles(128, 128, 3);
    double previous = 0;
    for (int iso : {200, 1600, 12800}) {
        double sigma = 0;
        for (int k = 0; k < 6; ++k) {  // average over the other random camera settings
            Image noisy = clean;
            applyNoise(NoiseSpec::parse("camera:" + std::to_string(iso)), noisy, uint64_t(k));
            sigma += measureNoise(noisy, {}, &clean).sigma / 6;
        }
        CAPTURE(iso);
        CHECK(sigma > previous * 1.5);
        previous = sigma;
    }
}

TEST_CASE("noise choices: one drawn per image by weight; none leaves the image as it was") {
    const NoiseSpec spec = NoiseSpec::parse("6*camera:100-12800|3*gaussian:5-10|none");
    REQUIRE(spec.choices.size() == 3);
    CHECK(spec.choices[0].weight == 6);
    CHECK(spec.choices[2].models.empty());
    CHECK(spec.maxSigma() == 10);
    const Image clean = testutil::syntheticImage(16, 16, 3, 2);
    int untouched = 0, gaussian = 0, camera = 0;
    const int n = 600;
    for (int k = 0; k < n; ++k) {
        Image im = clean;
        const double sigma = applyNoise(spec, im, uint64_t(k));
        if (sigma > 0)
            ++gaussian;
        else if (im.pixels == clean.pixels)
            ++untouched;
        else
            ++camera;
    }
    CHECK(std::abs(untouched - n / 10) < 25);  // binomial std about 7
    CHECK(std::abs(gaussian - 3 * n / 10) < 40);
    CHECK(std::abs(camera - 6 * n / 10) < 40);
    // A single choice draws nothing extra: its bytes are those of the plain chain.
    Image a = clean, b = clean;
    applyNoise(NoiseSpec::parse("gaussian:10"), a, 4);
    applyNoise(NoiseSpec::parse("1*gaussian:10"), b, 4);
    CHECK(a.pixels == b.pixels);
    for (const char* bad : {"camera:10", "camera:", "camera:6400-100", "|gaussian:5", "gaussian:5|", "0*gaussian:5",
                            "2*", "x*gaussian:5", "none+gaussian:5", "gaussian:5||none"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(NoiseSpec::parse(bad), Error);
    }
}

TEST_CASE("noise statistics: white Gaussian noise measured as white, at its level, with JPEG's YCbCr shares") {
    Image im = flat(256, 256, {0.5f, 0.4f, 0.6f});
    applyNoise(NoiseSpec::parse("gaussian:10"), im, 1);
    const NoiseStats s = measureNoise(im);
    // The flattest quarter of blocks reads a little low: block variances scatter about the true one.
    CHECK(s.sigma == doctest::Approx(10).epsilon(0.06));
    for (double r : s.lumaCorrelation) CHECK(std::abs(r) < 0.05);
    for (double r : s.chromaCorrelation) CHECK(std::abs(r) < 0.05);
    for (double r : s.channelCorrelation) CHECK(std::abs(r) < 0.05);
    // Independent channels of equal variance: chroma (Cb, Cr) carries 0.819 / 1.267 of the variance.
    CHECK(s.chromaShare == doctest::Approx(0.646).epsilon(0.03));
    // With the clean image as reference, every block is exact noise.
    const Image clean = flat(256, 256, {0.5f, 0.4f, 0.6f});
    CHECK(measureNoise(im, {}, &clean).sigma == doctest::Approx(10).epsilon(0.06));
}

TEST_CASE("noise statistics: blurred noise is correlated, signal-dependent noise shows in the levels") {
    // Grey noise averaged over 2x2 neighbourhoods: correlation 0.5 at 1 px, 0 at 2 px.
    const int W = 256;
    Image white = flat(W + 1, W + 1, {0.5f});
    applyNoise(NoiseSpec::parse("gaussian:20"), white, 2);
    Image box = flat(W, W, {0.5f});
    for (int y = 0; y < W; ++y)
        for (int x = 0; x < W; ++x) {
            const float* p = white.plane(0);
            box.plane(0)[y * W + x] =
                0.25f * (p[y * (W + 1) + x] + p[y * (W + 1) + x + 1] + p[(y + 1) * (W + 1) + x] + p[(y + 1) * (W + 1) + x + 1]);
        }
    const NoiseStats s = measureNoise(box);
    CHECK(s.lumaCorrelation[0] == doctest::Approx(0.5).epsilon(0.1));
    CHECK(std::abs(s.lumaCorrelation[1]) < 0.1);  // the per-block plane fit biases it slightly negative
    // Brightness ramp with noise proportional to brightness: the levels rise with it.
    Image ramp = Image::blank(W, W, 1);
    Random rng(3);
    for (int y = 0; y < W; ++y)
        for (int x = 0; x < W; ++x) {
            const double v = 0.05 + 0.9 * (y / 16) / 15.0;  // constant within each 16-px block row
            ramp.plane(0)[y * W + x] = float(v + 0.05 * v * rng.normal());
        }
    const NoiseStats r = measureNoise(ramp);
    REQUIRE(r.levels.size() >= 6);
    for (size_t i = 1; i < r.levels.size(); ++i) CHECK(r.levels[i].sigma[0] > r.levels[i - 1].sigma[0]);
    CHECK_THROWS_AS(measureNoise(flat(20, 20, {0.5f})), Error);
}
