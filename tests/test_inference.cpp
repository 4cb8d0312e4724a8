// SPDX-License-Identifier: Apache-2.0
// Tiled inference: tiled and whole-image results agree, any size from 1x1 works, images keep
// depth, alpha and channels, and a model that does not fit is refused clearly.
#include <doctest/doctest.h>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/network.hpp"
#include "infer/context_radius.hpp"
#include "support/synthetic.hpp"

using namespace aekit;

namespace {

Model randomModel(Task task, int inC, int outC, bool residual) {
    Model m;
    m.task = task;
    m.arch.inChannels = inC;
    m.arch.outChannels = outC;
    m.arch.encoder = {8, 12, 16};
    m.arch.code = 16;
    m.arch.decoder = {8, 12, 16};
    m.arch.residual = residual;
    m.arch.inputSkip = true;
    Network net(m.arch, Mode::Inference);
    net.initWeights(5);
    m.weights = net.weights();
    return m;
}

}  // namespace

TEST_CASE("inference: tiled and whole-image outputs agree within one 8-bit level, at awkward sizes") {
    const Model m = randomModel(Task::Denoise, 3, 3, true);
    InferenceOptions whole;
    whole.maxMemoryMB = 4096;
    ImageModel big(m, whole);
    for (auto [W, H] : {std::pair{161, 47}, std::pair{200, 9}, std::pair{9, 170}, std::pair{130, 131}}) {
        CAPTURE(W);
        CAPTURE(H);
        const Image im = testutil::syntheticImage(W, H, 3, uint64_t(W * 1000 + H));
        InferenceOptions tiled;
        tiled.tile = 96;  // smallest allowed is 2 x margin + alignment: several tiles here
        ImageModel small(m, tiled);
        CHECK(small.tileFor(H, W) < std::max(H, W));  // really tiled
        const auto a = big.run(im.pixels.data(), H, W);
        const auto b = small.run(im.pixels.data(), H, W);
        double worst = 0;
        for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
        CAPTURE(worst);
        CHECK(worst * 255 < 1.0);
    }
}

TEST_CASE("inference: a denoise in place gives the separate-output result bit for bit") {
    // The output replaces the image a band of rows at a time; a row written back while a later
    // band's tiles still read it would change their input.
    Model m = randomModel(Task::Denoise, 3, 3, true);
    m.metadata["aekit.context"] = contextMetadata(16);  // tiles overlap by 16 + 8 px; nothing measured
    for (int tile : {64, 96, 0}) {
        InferenceOptions o;
        o.tile = tile;
        ImageModel model(m, o);
        for (auto [W, H] : {std::pair{161, 47}, std::pair{200, 9}, std::pair{9, 170}, std::pair{130, 131}, std::pair{301, 257}}) {
            CAPTURE(tile);
            CAPTURE(W);
            CAPTURE(H);
            const Image im = testutil::syntheticImage(W, H, 3, uint64_t(W * 7 + H));
            const std::vector<float> separate = model.run(im.pixels.data(), H, W);
            const Image inPlace = model.denoise(Image(im));
            CHECK(inPlace.width == W);
            CHECK(inPlace.height == H);
            CHECK(inPlace.channels == 3);
            CHECK(inPlace.pixels == separate);
        }
    }
}

TEST_CASE("inference: automatic tiles under a small budget (their shape chosen for the least work) match one pass") {
    Model m = randomModel(Task::Denoise, 3, 3, true);
    m.metadata["aekit.context"] = contextMetadata(16);
    InferenceOptions small;
    small.maxMemoryMB = 112;  // a target: the network's tiles get the least it gives, 64 MB
    small.maxMemoryIsCeiling = false;
    ImageModel tiled(m, small);
    // The frame follows what a tile costs on this CPU's layout (nChw16c with Winograd on AVX-512: 384-px
    // tiles; nhwc on AVX2: 544): one and a half tiles high, two and more wide.
    const int side = tiled.tileFor(4096, 4096);
    const int H = side + side / 2, W = 2 * side + 100;
    CAPTURE(side);
    CHECK(tiled.tileFor(H, W) < H);
    InferenceOptions whole;
    whole.maxMemoryMB = 4096;
    ImageModel big(m, whole);
    const Image im = testutil::syntheticImage(W, H, 3, 77);
    const std::vector<float> expected = big.run(im.pixels.data(), H, W);
    const Image out = tiled.denoise(Image(im));
    double worst = 0;
    for (size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, double(std::abs(expected[i] - out.pixels[i])));
    CAPTURE(worst);
    CHECK(worst * 255 < 1.0);
}

TEST_CASE("inference: the shipped photo model uses less context than half its receptive field, and tiles by it") {
    const std::string root = std::getenv("AEKIT_SOURCE_DIR");
    const Model m = Model::load(root + "/models/denoise-photo.safetensors");
    const int half = (m.arch.receptiveField() + 1) / 2;
    {
        Network net(m.arch, Mode::Inference);
        net.setWeights(m.weights);
        const int r = infer::measureContextRadius(net, infer::kContextTolerance);
        MESSAGE("photo model: context radius " << r << " px, half the receptive field " << half << " px");
        CHECK(r % m.arch.alignment() == 0);
        CHECK(r < half);
        // Measured again from scratch: the same answer (the probes are seeded).
        Network again(m.arch, Mode::Inference);
        again.setWeights(m.weights);
        CHECK(infer::measureContextRadius(again, infer::kContextTolerance) == r);
    }
    // A real photo with real-looking noise, tiled as small as aekit allows (many seams, each kept
    // pixel at the measured overlap from a tile's edge), against one pass over the whole image.
    const Image noisy = readImage(root + "/samples/noisy/scene.png");
    InferenceOptions whole;
    whole.maxMemoryMB = 8192;
    ImageModel big(m, whole);
    InferenceOptions tiled;
    tiled.tile = 1;  // raised to the smallest valid tile
    ImageModel small(m, tiled);
    CHECK(small.tileOverlap() < (half + m.arch.alignment() - 1) / m.arch.alignment() * m.arch.alignment());
    CHECK(small.tileFor(noisy.height, noisy.width) < std::max(noisy.width, noisy.height) / 2);
    const auto a = big.run(noisy.pixels.data(), noisy.height, noisy.width);
    const auto b = small.run(noisy.pixels.data(), noisy.height, noisy.width);
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a[i] - b[i])));
    MESSAGE("tiled against whole, worst difference " << worst * 255 << " levels");
    CHECK(worst * 255 < 1.0);

    // A radius the model file records is taken as is (nothing measured); a malformed one is ignored.
    Model recorded = m;
    recorded.metadata["aekit.context"] = contextMetadata(32);
    ImageModel fromFile(recorded, {});
    CHECK(fromFile.contextRadius() == 32);
    CHECK(fromFile.contextMeasureSeconds() == 0);
    recorded.metadata["aekit.context"] = R"({"radius": "x"})";
    CHECK(infer::storedContextRadius(recorded) == -1);
    recorded.metadata["aekit.context"] = R"({"radius": 32, "tolerance": 0.1})";  // another tolerance: measured again
    CHECK(infer::storedContextRadius(recorded) == -1);
}

TEST_CASE("inference: sizes from 1x1 to very tall and very wide") {
    ImageModel model(randomModel(Task::Denoise, 3, 3, true), {});
    for (auto [W, H] : {std::pair{1, 1}, std::pair{7, 13}, std::pair{3, 400}, std::pair{500, 2}}) {
        CAPTURE(W);
        CAPTURE(H);
        const Image im = testutil::syntheticImage(W, H, 3, 3);
        const Image out = model.denoise(im);
        CHECK(out.width == W);
        CHECK(out.height == H);
        for (float v : out.pixels) CHECK(std::isfinite(v));
    }
}

TEST_CASE("inference: 16-bit depth, alpha and metadata source pass through denoise and colorize") {
    ImageModel denoiser(randomModel(Task::Denoise, 1, 1, true), {});
    Image im = testutil::syntheticImage(20, 12, 1, 4);
    im.bitDepth = 16;
    im.alpha.assign(size_t(im.planeSize()), 12345);
    im.metadataSource = "x.tif";
    const Image out = denoiser.denoise(im);
    CHECK(out.bitDepth == 16);
    CHECK(out.alpha == im.alpha);
    CHECK(out.metadataSource == "x.tif");
    CHECK(out.channels == 1);
    Model cm = randomModel(Task::Colorize, 1, 2, false);
    cm.arch.colorSpace = "lab";
    ImageModel colorizer(cm, {});
    std::vector<std::string> notes;
    const Image colour = colorizer.colorize(im, &notes);
    CHECK(colour.channels == 3);
    CHECK(colour.alpha == im.alpha);
    CHECK(colour.bitDepth == 16);
    CHECK(notes.empty());
    colorizer.colorize(testutil::syntheticImage(20, 12, 3, 4), &notes);
    CHECK(notes.size() == 1);  // a colour input is colorized from its L, with a warning
}

TEST_CASE("inference: a model whose task or channels do not fit is refused; grey goes through a colour denoiser") {
    ImageModel colourDenoiser(randomModel(Task::Denoise, 3, 3, true), {});
    ImageModel greyDenoiser(randomModel(Task::Denoise, 1, 1, true), {});
    const Image gray = testutil::syntheticImage(16, 16, 1, 2);
    CHECK_THROWS_WITH_AS(greyDenoiser.denoise(testutil::syntheticImage(16, 16, 3, 2)), doctest::Contains("channel"), Error);
    // A grey image through a colour model: three equal channels in, the luma of the output out.
    const Image viaColour = colourDenoiser.denoise(gray);
    CHECK(viaColour.channels == 1);
    const Image expected = toGray(colourDenoiser.denoise(grayToRgb(gray)));
    for (size_t i = 0; i < expected.pixels.size(); ++i) CHECK(viaColour.pixels[i] == doctest::Approx(expected.pixels[i]).epsilon(1e-6));
    CHECK_THROWS_WITH_AS(colourDenoiser.colorize(gray), doctest::Contains("not a colorizer"), Error);
    Model cm = randomModel(Task::Colorize, 1, 2, false);
    ImageModel colorizer(cm, {});
    CHECK_THROWS_WITH_AS(colorizer.denoise(gray), doctest::Contains("not a denoiser"), Error);
}

TEST_CASE("inference: the sigma knob blends toward the input") {
    ImageModel model(randomModel(Task::Denoise, 3, 3, true), {});
    const Image im = testutil::syntheticImage(32, 32, 3, 8);
    const Image full = model.denoise(im), gentle = model.denoise(im, 0.5);
    double dFull = 0, dGentle = 0;
    for (size_t i = 0; i < im.pixels.size(); ++i) {
        dFull += std::abs(full.pixels[i] - im.pixels[i]);
        dGentle += std::abs(gentle.pixels[i] - im.pixels[i]);
    }
    CHECK(dGentle < dFull);
}

TEST_CASE("inference: the self-ensemble is the mean of the 8 flipped and rotated runs, mapped back") {
    const Model m = randomModel(Task::Denoise, 3, 3, true);
    ImageModel plain(m, {});
    InferenceOptions eight;
    eight.ensemble = 8;
    ImageModel ensemble(m, eight);
    const int W = 37, H = 23;  // not square: the transposed runs see a 23 x 37 image
    const Image im = testutil::syntheticImage(W, H, 3, 99);
    // Reference: transform a copy, denoise it, transform back, average.
    std::vector<double> mean(im.pixels.size(), 0.0);
    for (int k = 0; k < 8; ++k) {
        const bool transpose = k & 4, flipX = k & 1, flipY = k & 2;
        const int TW = transpose ? H : W, TH = transpose ? W : H;
        auto source = [&](int ty, int tx) {  // the source pixel at (ty, tx) of the transformed image
            if (flipY) ty = TH - 1 - ty;
            if (flipX) tx = TW - 1 - tx;
            return transpose ? int64_t(tx) * W + ty : int64_t(ty) * W + tx;
        };
        Image t = Image::blank(TW, TH, 3, 8);
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < TH; ++y)
                for (int x = 0; x < TW; ++x) t.plane(c)[int64_t(y) * TW + x] = im.plane(c)[source(y, x)];
        const Image out = plain.denoise(t);
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < TH; ++y)
                for (int x = 0; x < TW; ++x)
                    mean[size_t(c) * W * H + size_t(source(y, x))] += out.plane(c)[int64_t(y) * TW + x] / 8.0;
    }
    const Image got = ensemble.denoise(im), once = plain.denoise(im);
    double worst = 0, change = 0;
    for (size_t i = 0; i < mean.size(); ++i) {
        worst = std::max(worst, std::abs(double(got.pixels[i]) - mean[i]));
        change = std::max(change, std::abs(double(got.pixels[i]) - double(once.pixels[i])));
    }
    CAPTURE(worst);
    CHECK(worst < 1e-5);
    CHECK(change > 1e-4);  // the ensemble is not just the plain run
    InferenceOptions bad;
    bad.ensemble = 3;
    CHECK_THROWS_AS(ImageModel(m, bad), Error);
}
