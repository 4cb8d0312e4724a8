// SPDX-License-Identifier: Apache-2.0
// Noise models (statistics, determinism, the spec grammar), metrics (PSNR and SSIM against
// independent computations) and colour conversions.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/edge_filter.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/metrics.hpp"
#include "aekit/noise.hpp"
#include "aekit/network.hpp"
#include "aekit/random.hpp"
#include "aekit/page_look.hpp"
#include "aekit/scan_colour.hpp"
#include "pages.hpp"
#include "support/synthetic.hpp"
#include "tasks/ab_bins.hpp"
#include "tasks/codec.hpp"

using namespace aekit;

namespace {

Image flat(int W, int H, int C, float v) {
    Image im = Image::blank(W, H, C);
    std::fill(im.pixels.begin(), im.pixels.end(), v);
    return im;
}

double meanOf(const Image& im) {
    double s = 0;
    for (float v : im.pixels) s += v;
    return s / double(im.pixels.size());
}

double stdOf(const Image& im) {
    const double m = meanOf(im);
    double s = 0;
    for (float v : im.pixels) s += (v - m) * (v - m);
    return std::sqrt(s / double(im.pixels.size()));
}

}  // namespace

TEST_CASE("noise: gaussian mean and standard deviation on a flat image") {
    Image im = flat(256, 256, 3, 0.5f);
    applyNoise(NoiseSpec::parse("gaussian:25"), im, 1);
    CHECK(meanOf(im) == doctest::Approx(0.5).epsilon(0.002));
    CHECK(stdOf(im) * 255 == doctest::Approx(25).epsilon(0.01));
    Image low = flat(64, 64, 1, 0.01f);  // not clipped: the evaluation protocol needs negative values
    applyNoise(NoiseSpec::parse("gaussian:50"), low, 2);
    CHECK(*std::min_element(low.pixels.begin(), low.pixels.end()) < 0.f);
    // A range draws one sigma per image, inside the range.
    Image r = flat(128, 128, 1, 0.5f);
    const double sigma = applyNoise(NoiseSpec::parse("gaussian:10-20"), r, 3);
    CHECK(sigma >= 10);
    CHECK(sigma <= 20);
    CHECK(stdOf(r) * 255 == doctest::Approx(sigma).epsilon(0.03));
}

TEST_CASE("noise: poisson variance follows intensity") {
    for (float level : {0.1f, 0.4f, 0.8f}) {
        Image im = flat(200, 200, 1, level);
        const double peak = 100;
        applyNoise(NoiseSpec::parse("poisson:100"), im, 4);
        CAPTURE(level);
        CHECK(meanOf(im) == doctest::Approx(level).epsilon(0.02));
        // Var(k / peak) = lambda / peak^2 = level / peak.
        CHECK(stdOf(im) * stdOf(im) == doctest::Approx(level / peak).epsilon(0.05));
    }
}

TEST_CASE("noise: salt and pepper, mask and speckle") {
    Image im = flat(200, 200, 3, 0.5f);
    applyNoise(NoiseSpec::parse("saltpepper:0.1"), im, 5);
    int64_t hit = 0, white = 0;
    for (int64_t i = 0; i < im.planeSize(); ++i)
        if (im.plane(0)[i] != 0.5f) {
            ++hit;
            white += im.plane(0)[i] == 1.f;
            CHECK(im.plane(1)[i] == im.plane(0)[i]);  // whole pixels
        }
    CHECK(double(hit) / double(im.planeSize()) == doctest::Approx(0.1).epsilon(0.05));
    CHECK(double(white) / double(hit) == doctest::Approx(0.5).epsilon(0.08));
    Image m = flat(200, 200, 1, 0.5f);
    applyNoise(NoiseSpec::parse("mask:0.3"), m, 6);
    const double zeros = double(std::count(m.pixels.begin(), m.pixels.end(), 0.f)) / double(m.pixels.size());
    CHECK(zeros == doctest::Approx(0.3).epsilon(0.04));
    Image s = flat(200, 200, 1, 0.5f);
    applyNoise(NoiseSpec::parse("speckle:0.2"), s, 7);
    CHECK(stdOf(s) == doctest::Approx(0.5 * 0.2).epsilon(0.03));
}

TEST_CASE("noise: jpeg goes through OpenCV's encoder, lower quality loses more") {
    const Image clean = testutil::syntheticImage(96, 64, 3, 8);
    Image q90 = clean, q10 = clean;
    applyNoise(NoiseSpec::parse("jpeg:90"), q90, 1);
    applyNoise(NoiseSpec::parse("jpeg:10"), q10, 1);
    CHECK(psnr(q90, clean) > psnr(q10, clean) + 3);
    for (float v : q10.pixels) CHECK(std::abs(v * 255 - std::round(v * 255)) < 1e-3);  // 8-bit values
}

TEST_CASE("noise: same seed, same bytes, whatever the thread count; different seeds differ") {
    const Image clean = testutil::syntheticImage(64, 48, 3, 9);
    const NoiseSpec spec = NoiseSpec::parse("gaussian:10+poisson:50+saltpepper:0.02+jpeg:60");
    Image a = clean, b = clean, c = clean;
    setThreads(1);
    applyNoise(spec, a, 11);
    setThreads(2);
    applyNoise(spec, b, 11);
    applyNoise(spec, c, 12);
    CHECK(a.pixels == b.pixels);
    CHECK(a.pixels != c.pixels);
    CHECK(itemSeed(1, "a/b.png") == itemSeed(1, "a/b.png"));
    CHECK(itemSeed(1, "a/b.png") != itemSeed(2, "a/b.png"));
}

TEST_CASE("random: distributions have their moments") {
    Random r(5);
    const int n = 200000;
    double s = 0, s2 = 0, u = 0;
    std::vector<int> counts(10, 0);
    for (int i = 0; i < n; ++i) {
        const double z = r.normal();
        s += z;
        s2 += z * z;
        u += r.uniform();
        ++counts[size_t(r.below(10))];
    }
    CHECK(std::abs(s / n) < 0.01);
    CHECK(s2 / n == doctest::Approx(1).epsilon(0.01));
    CHECK(u / n == doctest::Approx(0.5).epsilon(0.005));
    for (int c : counts) CHECK(c == doctest::Approx(n / 10).epsilon(0.02));
    for (double lambda : {0.3, 3.0, 9.9, 10.0, 50.0, 5000.0}) {  // both methods, and the switch between them
        double m = 0, m2 = 0;
        for (int i = 0; i < n; ++i) {
            const double k = double(r.poisson(lambda));
            m += k;
            m2 += k * k;
        }
        m /= n;
        CAPTURE(lambda);
        CHECK(m == doctest::Approx(lambda).epsilon(0.01));
        CHECK(m2 / n - m * m == doctest::Approx(lambda).epsilon(0.03));
    }
    std::vector<int> v(10);
    for (int i = 0; i < 10; ++i) v[size_t(i)] = i;
    r.shuffle(v);
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

// The same numbers with any standard library: values worked out once and kept. A change here
// changes every seeded noise, split, batch and initial weight.
TEST_CASE("random: a seed gives the same numbers everywhere (golden values)") {
    Random r(42);
    CHECK(r() == 13930160852258120406ull);  // std::mt19937_64's own sequence
    const double u = r.uniform();
    CHECK(uint64_t(u * 0x1p53) == 5755883094484128ull);  // exact: the top 53 bits of the next draw
    CHECK(r.below(1000) == 752ull);
    const double z1 = r.normal(), z2 = r.normal();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g %.17g", z1, z2);
    CHECK(std::string(buf) == "-0.86154825632147014 0.1582678005672257");
    CHECK(r.poisson(3) == 2);
    CHECK(r.poisson(50) == 54);
    CHECK(r.poisson(5000) == 5055);
    std::vector<int> v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    r.shuffle(v);
    std::string order;
    for (int x : v) order += std::to_string(x);
    CHECK(order == "7634821590");
    // Whole noise models, as 8-bit bytes.
    const std::vector<std::pair<std::string, uint64_t>> golden{
        {"gaussian:25", 3418278169033260990ull}, {"poisson:30", 15490742654292968042ull},
        {"saltpepper:0.1", 11179997827489060260ull}, {"speckle:0.2", 3266484196948587002ull}};
    for (const auto& [spec, hash] : golden) {
        Image im = Image::blank(16, 16, 3, 8);
        for (size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = float((i * 37) % 256) / 255.f;
        applyNoise(NoiseSpec::parse(spec), im, 7);
        uint64_t h = 1469598103934665603ull;  // FNV-1a of the bytes
        for (float f : im.pixels) h = (h ^ uint64_t(std::lround(std::clamp(f, 0.f, 1.f) * 255.f))) * 1099511628211ull;
        CAPTURE(spec);
        CHECK(h == hash);
    }
}

TEST_CASE("noise: malformed specs are refused with the grammar") {
    for (const char* bad : {"", "gaussian", "gaussian:", "gaussian:abc", "gaussian:30-10", "gaussian:300", "blur:3",
                            "jpeg:101", "jpeg:50.5", "gaussian:10+", "saltpepper:2", "mask:-0.1", "poisson:0"}) {
        CAPTURE(bad);
        try {
            NoiseSpec::parse(bad);
            FAIL_CHECK("accepted");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("MODEL[+MODEL...]") != std::string::npos);
        }
    }
    CHECK(NoiseSpec::parse("gaussian:10+jpeg:40").choices.at(0).models.size() == 2);
}

TEST_CASE("metrics: PSNR and SSIM against independent computations") {
    // PSNR: a constant offset d gives 10 log10(1 / d^2).
    const Image a = flat(32, 32, 3, 0.5f);
    Image b = a;
    for (float& v : b.pixels) v += 0.1f;
    CHECK(psnr(a, b) == doctest::Approx(20.0).epsilon(1e-4));
    CHECK(std::isinf(psnr(a, a)));
    // SSIM of identical images is 1.
    const Image x = testutil::syntheticImage(48, 40, 1, 3);
    CHECK(ssim(x, x) == doctest::Approx(1.0).epsilon(1e-9));
    // SSIM against a direct evaluation of Wang et al.'s definition: Gaussian window 11, sigma 1.5,
    // valid positions only, computed here with explicit loops in double.
    Image y = x;
    applyNoise(NoiseSpec::parse("gaussian:20"), y, 4);
    const int W = x.width, H = x.height, R = 5;
    double g[11], gs = 0;
    for (int i = -R; i <= R; ++i) gs += g[i + R] = std::exp(-i * i / (2 * 1.5 * 1.5));
    double total = 0;
    int count = 0;
    for (int cy = R; cy < H - R; ++cy)
        for (int cx = R; cx < W - R; ++cx) {
            double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
            for (int dy = -R; dy <= R; ++dy)
                for (int dx = -R; dx <= R; ++dx) {
                    const double w = g[dy + R] * g[dx + R] / (gs * gs);
                    const double p = x.pixels[(cy + dy) * W + cx + dx], q = y.pixels[(cy + dy) * W + cx + dx];
                    mx += w * p;
                    my += w * q;
                    sxx += w * p * p;
                    syy += w * q * q;
                    sxy += w * p * q;
                }
            sxx -= mx * mx;
            syy -= my * my;
            sxy -= mx * my;
            const double C1 = 1e-4, C2 = 9e-4;
            total += (2 * mx * my + C1) * (2 * sxy + C2) / ((mx * mx + my * my + C1) * (sxx + syy + C2));
            ++count;
        }
    CHECK(ssim(x, y) == doctest::Approx(total / count).epsilon(1e-3));
}

TEST_CASE("colour: Lab of known colours, round trips, gray, colourfulness") {
    Image px = Image::blank(3, 1, 3);
    // white, red, mid gray
    const float rgb[3][3] = {{1, 1, 1}, {1, 0, 0}, {0.5f, 0.5f, 0.5f}};
    for (int i = 0; i < 3; ++i)
        for (int c = 0; c < 3; ++c) px.plane(c)[i] = rgb[i][c];
    const Image lab = rgbToLab(px);
    CHECK(lab.plane(0)[0] == doctest::Approx(100).epsilon(1e-3));
    CHECK(std::abs(lab.plane(1)[0]) < 0.01);
    CHECK(lab.plane(0)[1] == doctest::Approx(53.24).epsilon(2e-3));
    CHECK(lab.plane(1)[1] == doctest::Approx(80.09).epsilon(5e-3));
    CHECK(lab.plane(2)[1] == doctest::Approx(67.20).epsilon(5e-3));
    CHECK(lab.plane(0)[2] == doctest::Approx(53.39).epsilon(2e-3));
    const Image back = labToRgb(lab);
    for (size_t i = 0; i < px.pixels.size(); ++i) CHECK(back.pixels[i] == doctest::Approx(px.pixels[i]).epsilon(1e-3));
    const Image scene = testutil::syntheticImage(32, 24, 3, 5);
    const Image L = lightness(scene);
    CHECK(L.channels == 1);
    const Image merged = labToRgb(mergeLab(L, [&] {
        Image lab2 = rgbToLab(scene), ab = Image::blank(32, 24, 2);
        std::copy(lab2.plane(1), lab2.plane(1) + 2 * lab2.planeSize(), ab.pixels.begin());
        return ab;
    }()));
    CHECK(psnr(merged, scene) > 45);
    // The colorizer's merge without guidance: ab at a lower resolution, upsampled on the way, strip by
    // strip (taller than one strip), agrees with resizing ab first and merging at full size.
    const Image tall = testutil::syntheticImage(45, 150, 3, 6);
    const Image tallLab = rgbToLab(tall);
    Image abSmall = Image::blank(45, 150, 2);
    std::copy(tallLab.plane(1), tallLab.plane(1) + 2 * tallLab.planeSize(), abSmall.pixels.begin());
    abSmall = resizeImage(abSmall, 17, 51);
    const Image direct = labToRgb(lightness(tall), abSmall, false);
    const Image viaResize = labToRgb(mergeLab(lightness(tall), resizeImage(abSmall, 45, 150)));
    REQUIRE(direct.channels == 3);
    CHECK(psnr(direct, viaResize) > 50);
    CHECK(psnr(direct, tall) > 20);
    const Image gray = toGray(scene);
    CHECK(gray.channels == 1);
    CHECK(colourfulness(grayToRgb(gray)) < 1e-3);
    CHECK(colourfulness(scene) > 10);
}

// A page's ink: L steps sharply, and so does the colour; the colour comes at an eighth of the size.
TEST_CASE("colour: guided upsampling keeps colour inside L's edges, strip by strip as over the whole image") {
    const int W = 160, H = 300;
    Image truthLab = Image::blank(W, H, 3);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            const bool ink = (x / 20) % 2 == 1 || (y / 50) % 3 == 1;  // stripes and bands of ink on paper
            const int64_t k = int64_t(y) * W + x;
            truthLab.plane(0)[k] = ink ? 30.f : 88.f;
            truthLab.plane(1)[k] = ink ? 45.f : -2.f;
            truthLab.plane(2)[k] = ink ? -40.f : 12.f;
        }
    const Image truth = labToRgb(truthLab);
    Image L = Image::blank(W, H, 1), ab = Image::blank(W, H, 2);
    std::copy(truthLab.plane(0), truthLab.plane(0) + L.planeSize(), L.pixels.begin());
    std::copy(truthLab.plane(1), truthLab.plane(1) + 2 * L.planeSize(), ab.pixels.begin());
    const Image abSmall = resizeImage(ab, W / 8, H / 8);
    const Image bilinear = labToRgb(L, abSmall, false), guided = labToRgb(L, abSmall, true);
    const double before = edgeChromaError(bilinear, truth, 3), after = edgeChromaError(guided, truth, 3);
    CAPTURE(before);
    CAPTURE(after);
    CHECK(before > 5);
    CHECK(after < before / 2);
    CHECK(edgeChromaError(truth, truth, 3) == 0);
    // The same filter over the whole image at once (radius 2 x the scale, eps 1e-3 on L / 100): the
    // strips' margins leave nothing to tell them apart.
    Image up = resizeImage(abSmall, W, H);
    const cv::Mat guide = cv::Mat(H, W, CV_32F, L.pixels.data()) / 100;
    for (int c = 0; c < 2; ++c) {
        cv::Mat plane(H, W, CV_32F, up.plane(c));
        cv::ximgproc::guidedFilter(guide, plane.clone(), plane, 2 * 8, 1e-3);
    }
    CHECK(psnr(guided, labToRgb(mergeLab(L, up))) > 50);
}

TEST_CASE("colour: a page's paper tone, ink chroma and coloured marks are measured on their labels only") {
    // Four bands of a page in Lab, the truth and an output: paper off by 2 a* units, ink given a
    // chroma of 5, coloured marks of which half are right, a quarter of the wrong hue and a quarter
    // too pale, and a stained band (label 64) painted anything, which must not count.
    const int W = 40, H = 64;
    Image truthLab = Image::blank(W, H, 3), outLab = Image::blank(W, H, 3), labels = Image::blank(W, H, 1, 8);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            const int64_t k = int64_t(y) * W + x;
            float t[3], o[3], label;
            if (y < 16) {  // paper
                label = 255;
                t[0] = 92, t[1] = 0, t[2] = 10;
                o[0] = 92, o[1] = 2, o[2] = 10;
            } else if (y < 32) {  // dark neutral ink
                label = 0;
                t[0] = 20, t[1] = 0, t[2] = 0;
                o[0] = 20, o[1] = 3, o[2] = 4;
            } else if (y < 48) {  // coloured marks
                label = 128;
                t[0] = 50, t[1] = 40, t[2] = 20;
                const int quarter = x / 10;
                o[0] = 50, o[1] = quarter < 2 ? 40.f : quarter == 2 ? -20.f : 12.f, o[2] = quarter < 2 ? 20.f : quarter == 2 ? 40.f : 6.f;
            } else {  // a stain
                label = 64;
                t[0] = 60, t[1] = 10, t[2] = 30;
                o[0] = 60, o[1] = -40, o[2] = -40;
            }
            for (int c = 0; c < 3; ++c) truthLab.plane(c)[k] = t[c], outLab.plane(c)[k] = o[c];
            labels.plane(0)[k] = label / 255.f;
        }
    const Image truth = labToRgb(truthLab), output = labToRgb(outLab);
    const PageColour p = pageColour(output, truth, labels);
    // (OpenCV's float Lab conversions round trip to within about 0.2 units.)
    CHECK(p.paperToneError == doctest::Approx(2).epsilon(0.12));
    CHECK(p.inkChroma == doctest::Approx(5).epsilon(0.05));
    CHECK(p.markShare == doctest::Approx(0.5).epsilon(0.01));
    // The truth scores perfectly; a page without ink has no ink figure; labels of another size are refused.
    const PageColour self = pageColour(truth, truth, labels);
    CHECK(self.paperToneError < 1e-6);
    CHECK(self.markShare == 1.0);
    Image noInk = labels;
    for (float& v : noInk.pixels)
        if (v == 0.f) v = 64 / 255.f;
    CHECK(pageColour(output, truth, noInk).inkChroma < 0);
    CHECK_THROWS_AS(pageColour(output, truth, Image::blank(W, H - 1, 1, 8)), aekit::Error);
}

TEST_CASE("colour: the page generator's label maps name paper, dark ink and coloured marks; asking for them changes no pixel") {
    int64_t counts[3] = {0, 0, 0}, right[3] = {0, 0, 0};  // paper, ink, marks: pixels, and those that look the part
    for (unsigned seed : {1u, 2u, 3u}) {
        CAPTURE(seed);
        // (The paper's grain comes from OpenCV's own generator, which make_samples draws in order.)
        std::mt19937 plain(seed), labelled(seed);
        cv::setRNGSeed(int(seed));
        const cv::Mat page = samples::randomPage(plain);
        cv::Mat labels;
        cv::setRNGSeed(int(seed));
        const cv::Mat same = samples::randomPage(labelled, &labels);
        REQUIRE(same.size() == page.size());
        CHECK(cv::norm(page, same, cv::NORM_INF) == 0);
        REQUIRE(labels.size() == page.size());
        cv::Mat lab;
        page.convertTo(lab, CV_32FC3, 1.0 / 255);
        cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);
        int64_t paper = 0;
        for (int y = 0; y < page.rows; ++y)
            for (int x = 0; x < page.cols; ++x) {
                const cv::Vec3f c = lab.at<cv::Vec3f>(y, x);
                const double chroma = std::hypot(c[1], c[2]);
                switch (labels.at<uint8_t>(y, x)) {
                    case samples::kPaperLabel:  // light, and at most the chroma of the yellowed tone plus grain
                        ++counts[0], ++paper, right[0] += c[0] > 75 && chroma < 30;
                        break;
                    case samples::kNeutralInkLabel:
                        ++counts[1], right[1] += c[0] < 60;
                        break;
                    case samples::kColouredMarkLabel:
                        ++counts[2], right[2] += chroma >= 10;
                        break;
                    default:
                        break;
                }
            }
        CHECK(paper > page.total() / 2);
    }
    for (int k = 0; k < 3; ++k) {
        CAPTURE(k);
        REQUIRE(counts[k] > 0);
        CHECK(double(right[k]) / double(counts[k]) > 0.9);
    }
}

TEST_CASE("colour: class rebalancing leans to rare ab bins by lambda, and is neutral at lambda 1") {
    const aekit::tasks::AbBins bins = aekit::tasks::AbBins::inGamut(10);
    const int Q = bins.count();
    std::vector<double> counts(size_t(Q), 1.0);
    const int grey = bins.nearest(0.f, 0.f), red = bins.nearest(60.f, 40.f);
    counts[size_t(grey)] = 1e6;  // most pixels near grey, as in photos
    const auto zhang = bins.rebalancingWeights(counts, 0.5), none = bins.rebalancingWeights(counts, 1.0);
    CHECK(zhang[size_t(red)] > 5 * zhang[size_t(grey)]);
    for (int q = 0; q < Q; ++q) CHECK(none[size_t(q)] == doctest::Approx(1.0).epsilon(1e-5));
}

TEST_CASE("colour: the neutral-or-colour decode gives neutral where the bins next to neutral hold half, else the colour bins' mean") {
    aekit::tasks::ColorizeHead head;
    head.classify = true;
    head.bins = aekit::tasks::AbBins::inGamut(10);
    head.vividness = 1.f;  // no class weights: the temperature alone
    const int Q = head.bins.count(), H = 4, W = 6, HW = H * W;
    std::vector<int> neutral;
    for (int q = 0; q < Q; ++q)
        if (std::hypot(head.bins.a(q), head.bins.b(q)) < 10) neutral.push_back(q);
    REQUIRE(neutral.size() == 4);  // the four bins around a = b = 0
    for (int q : neutral) CHECK(head.bins.isNeutral(q));
    aekit::Random rng(11);
    std::vector<float> logits(size_t(Q * HW));
    for (int i = 0; i < HW; ++i) {
        // Pixels in turn lean to neutral or away from it, by a few logits, around the even split.
        const double lean = (i % 2 ? 1 : -1) * rng.uniform(0.5, 3.0);
        for (int q = 0; q < Q; ++q) logits[size_t(q * HW + i)] = float(rng.uniform(-1, 1));
        for (int q : neutral) logits[size_t(q * HW + i)] += float(std::log(Q / 8.0) + lean);
    }
    head.rule = aekit::tasks::AbBins::Rule::NeutralOrColour;
    const aekit::Image ab = head.decode(logits.data(), H, W);
    int neutralPixels = 0;
    for (int i = 0; i < HW; ++i) {
        double zn = 0, zc = 0, a = 0, b = 0;
        for (int q = 0; q < Q; ++q) {
            const double e = std::exp(double(logits[size_t(q * HW + i)]) / head.temperature);
            if (head.bins.isNeutral(q)) {
                zn += e;
            } else {
                zc += e;
                a += e * head.bins.a(q);
                b += e * head.bins.b(q);
            }
        }
        CAPTURE(i);
        if (zn >= zc) {
            ++neutralPixels;
            CHECK(ab.plane(0)[i] == 0.f);
            CHECK(ab.plane(1)[i] == 0.f);
        } else {
            CHECK(ab.plane(0)[i] == doctest::Approx(a / zc).epsilon(1e-4));
            CHECK(ab.plane(1)[i] == doctest::Approx(b / zc).epsilon(1e-4));
        }
    }
    CHECK(neutralPixels > 0);
    CHECK(neutralPixels < HW);
    // The mean rule on the same scores is the plain annealed mean, never exactly neutral here.
    head.rule = aekit::tasks::AbBins::Rule::Mean;
    CHECK(head.decode(logits.data(), H, W).pixels != ab.pixels);
    // Rule and working size survive the model file's metadata; unknown ones are refused.
    head.rule = aekit::tasks::AbBins::Rule::NeutralOrColour;
    head.workingSize = 640;
    aekit::Metadata m;
    head.toMetadata(m);
    const auto back = aekit::tasks::ColorizeHead::fromMetadata(m, "m.safetensors");
    CHECK(back.rule == aekit::tasks::AbBins::Rule::NeutralOrColour);
    CHECK(back.workingSize == 640);
    auto j = nlohmann::json::parse(m.at("aekit.colorize"));
    j["decode"] = "mode";
    m["aekit.colorize"] = j.dump();
    CHECK_THROWS_WITH(aekit::tasks::ColorizeHead::fromMetadata(m, "m.safetensors"), doctest::Contains("m.safetensors"));
    j["decode"] = "mean";
    j["size"] = -2;
    m["aekit.colorize"] = j.dump();
    CHECK_THROWS_WITH(aekit::tasks::ColorizeHead::fromMetadata(m, "m.safetensors"), doctest::Contains("working size"));
}

TEST_CASE("colour: vividness 0 divides the class weights out (the plain posterior's mean), 1 is the annealed mean as trained") {
    aekit::tasks::ColorizeHead head;
    head.classify = true;
    head.bins = aekit::tasks::AbBins::inGamut(10);
    const int Q = head.bins.count(), H = 3, W = 5, HW = H * W;
    aekit::Random rng(7);
    // A weighted cross-entropy learns logits = log(p * w) + c: p, the true posterior, drawn here.
    head.classWeights.resize(size_t(Q));
    for (float& w : head.classWeights) w = float(rng.uniform(0.2, 6.0));
    std::vector<double> p(size_t(Q * HW));
    std::vector<float> logits(size_t(Q * HW));
    for (int i = 0; i < HW; ++i) {
        double z = 0;
        for (int q = 0; q < Q; ++q) z += p[size_t(q * HW + i)] = std::exp(3 * rng.uniform());
        for (int q = 0; q < Q; ++q) {
            p[size_t(q * HW + i)] /= z;
            logits[size_t(q * HW + i)] = float(std::log(p[size_t(q * HW + i)] * head.classWeights[size_t(q)]) + 1.5);
        }
    }
    // Reference: the mean ab under softmax((logits - k log w) / T).
    auto reference = [&](double k, double T, int i, int ab) {
        double z = 0, s = 0, mx = -1e30;
        for (int q = 0; q < Q; ++q) mx = std::max(mx, double(logits[size_t(q * HW + i)]) - k * std::log(head.classWeights[size_t(q)]));
        for (int q = 0; q < Q; ++q) {
            const double e = std::exp((double(logits[size_t(q * HW + i)]) - k * std::log(head.classWeights[size_t(q)]) - mx) / T);
            z += e;
            s += e * (ab ? head.bins.b(q) : head.bins.a(q));
        }
        return s / z;
    };
    const aekit::Image faithful = head.decode(logits.data(), H, W, 0.f), vivid = head.decode(logits.data(), H, W, 1.f),
                       middle = head.decode(logits.data(), H, W, 0.5f);
    for (int i = 0; i < HW; ++i)
        for (int c = 0; c < 2; ++c) {
            double posteriorMean = 0;  // what V = 0 must give: the mean under the true p
            for (int q = 0; q < Q; ++q) posteriorMean += p[size_t(q * HW + i)] * (c ? head.bins.b(q) : head.bins.a(q));
            CHECK(faithful.plane(c)[i] == doctest::Approx(posteriorMean).epsilon(1e-4));
            CHECK(vivid.plane(c)[i] == doctest::Approx(reference(0, head.temperature, i, c)).epsilon(1e-4));
            CHECK(middle.plane(c)[i] == doctest::Approx(reference(0.5, head.temperature + 0.5 * (1 - head.temperature), i, c)).epsilon(1e-4));
        }
    // The model's default vividness (from its metadata) applies when none is asked for.
    head.vividness = 0.f;
    CHECK(head.decode(logits.data(), H, W).pixels == faithful.pixels);

    // The weights and default survive the model file's metadata; wrong ones are refused.
    aekit::Metadata m;
    head.toMetadata(m);
    const auto back = aekit::tasks::ColorizeHead::fromMetadata(m, "m.safetensors");
    CHECK(back.classWeights == head.classWeights);
    CHECK(back.vividness == 0.f);
    head.classWeights.pop_back();
    head.toMetadata(m);
    CHECK_THROWS_WITH(aekit::tasks::ColorizeHead::fromMetadata(m, "m.safetensors"),
                      doctest::Contains("class weights for"));
}

TEST_CASE("scan colour: paper, ink and blue ink found on the truth, each figure what it says") {
    const Image truth = testutil::syntheticScan(200, 160, 4);
    // The truth against itself: nothing off; a grey output: the paper's tone is lost, ink is as far
    // off as neutral ink, no blue ink is blue.
    const ScanColour same = scanColour(truth, truth);
    CHECK(same.paperToneError == doctest::Approx(0));
    CHECK(same.paperSpreadRatio == doctest::Approx(1));
    CHECK(same.inkError == doctest::Approx(0));
    REQUIRE(same.blueInk > 100);
    CHECK(same.blueInkRight == same.blueInk);
    const Image grey = grayToRgb(toGray(truth));
    const ScanColour g = scanColour(grey, truth);
    const Ab paper = paperColour(truth);
    CHECK(paper.b > 10);  // cream
    CHECK(g.paperToneError == doctest::Approx(std::hypot(paper.a, paper.b)).epsilon(0.05));
    CHECK(g.inkError == doctest::Approx(g.neutralInkError).epsilon(0.05));
    CHECK(g.neutralInkError > 5);
    CHECK(g.blueInkRight == 0);
    CHECK(g.paperSpreadRatio < 0.5);
    // The floor: the grey page's L with the paper's own a*b*: its paper tone is right, its paper flat.
    const Image floor = constantColour(toGray(truth), paper);
    const ScanColour f = scanColour(floor, truth);
    CHECK(f.paperToneError < 1);
    CHECK(f.blueInkRight == 0);
    CHECK(psnr(floor, truth) > psnr(grey, truth));
    // A blotch of red on a tenth of the paper raises the spread beyond the truth's.
    Image blotched = truth;
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 80; ++x) blotched.plane(1)[y * 200 + x] *= 0.8f;
    CHECK(scanColour(blotched, truth).paperSpreadRatio > 1.5);
}

TEST_CASE("page look: a page of thin strokes on paper is a document; a photo, a blank page and a dark frame are not") {
    const Image page = testutil::syntheticScan(400, 300, 9);
    const PageLook p = lookOfPage(toGray(page));
    CAPTURE(p.paper);
    CAPTURE(p.dark);
    CAPTURE(p.strokeEdges);
    CHECK(p.document);
    CHECK(lookOfPage(page).document);  // colour in: its lightness is measured
    CHECK_FALSE(lookOfPage(testutil::syntheticImage(400, 300, 3, 9)).document);
    // A blank page has no ink; a page seen through a dark scanner frame keeps its strokes (the frame
    // reaches the edge: background, not ink), but thick dark blocks are no strokes.
    Image blank = page;
    for (int c = 0; c < 3; ++c) std::fill(blank.plane(c), blank.plane(c) + blank.planeSize(), 0.9f);
    CHECK_FALSE(lookOfPage(blank).document);
    Image framed = page;
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 300; ++y)
            for (int x = 0; x < 400; ++x)
                if (x < 20 || y < 12) framed.plane(c)[y * 400 + x] = 0.05f;
    CHECK(lookOfPage(framed).document);
    Image blocks = blank;
    for (int c = 0; c < 3; ++c)
        for (int y = 100; y < 200; ++y)
            for (int x = 100; x < 300; ++x) blocks.plane(c)[y * 400 + x] = 0.1f;
    CHECK_FALSE(lookOfPage(blocks).document);
}

TEST_CASE("ab bins: bilinear soft labels give back the colour itself, finer than the grid") {
    const tasks::AbBins bins = tasks::AbBins::inGamut(10);
    for (auto [a, b] : {std::pair{0.7f, 9.4f}, std::pair{3.f, 14.f}, std::pair{-12.3f, -20.8f}, std::pair{5.f, 5.f}}) {
        int32_t q[4];
        float t[4];
        bins.bilinear(a, b, q, t);
        double ma = 0, mb = 0, sum = 0;
        for (int k = 0; k < 4; ++k) ma += t[k] * bins.a(q[k]), mb += t[k] * bins.b(q[k]), sum += t[k];
        CAPTURE(a);
        CAPTURE(b);
        CHECK(sum == doctest::Approx(1));
        CHECK(ma == doctest::Approx(a).epsilon(1e-4));
        CHECK(mb == doctest::Approx(b).epsilon(1e-4));
        // The nearest bin alone is up to half a grid step off.
        CHECK(std::hypot(bins.a(bins.nearest(a, b)) - a, bins.b(bins.nearest(a, b)) - b) <= 5 * std::sqrt(2.0) + 1e-4);
    }
    // Out of gamut corners give their share to the nearest bin: shares still sum to 1, every bin valid.
    int32_t q[4];
    float t[4];
    bins.bilinear(100.f, -100.f, q, t);
    double sum = 0;
    for (int k = 0; k < 4; ++k) {
        CHECK(q[k] >= 0);
        CHECK(q[k] < bins.count());
        sum += t[k];
    }
    CHECK(sum == doctest::Approx(1));
}
