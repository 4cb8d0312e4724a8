// SPDX-License-Identifier: Apache-2.0
// Anomaly maps and codes: ROC-AUC and percentiles against hand-computed values; anomalous images
// score higher than normal ones under a model whose reconstruction is known; `aekit anomaly` and
// `aekit embed` end to end (CSV shapes, overlays, threshold, the PCA comparison).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aekit/anomaly.hpp"
#include "aekit/embedding.hpp"
#include "aekit/error.hpp"
#include "aekit/network.hpp"
#include "support/cli_runner.hpp"
#include "support/temp_dir.hpp"

using namespace aekit;
namespace fs = std::filesystem;

namespace {

// A reconstruct model that outputs flat grey 0.5 whatever it sees: all weights zero, the output
// convolution's bias 0.5. Its reconstruction error is exactly the image's distance from grey.
Model flatGreyModel() {
    Architecture a;
    a.inChannels = a.outChannels = 1;
    a.encoder = {4, 4};
    a.decoder = {4, 4};
    a.code = 4;
    a.skips = false;
    a.residual = false;
    a.colorSpace = "gray";
    Network net(a, Mode::Inference);
    WeightMap w = net.weights();
    for (auto& [name, t] : w) std::fill(t.data.begin(), t.data.end(), name == "out.bias" ? 0.5f : 0.f);
    Model m;
    m.task = Task::Reconstruct;
    m.arch = a;
    m.weights = w;
    return m;
}

Image greyWithSpot(int seed, bool spot) {
    Image im = Image::blank(48, 40, 1);
    for (size_t i = 0; i < im.pixels.size(); ++i) {
        const int k = int((i * 7919u + unsigned(seed) * 104729u) % 11) - 5;  // -5..5: grain
        im.pixels[i] = 0.5f + 0.02f * float(k) / 5.f;
    }
    if (spot)
        for (int y = 10; y < 16; ++y)
            for (int x = 20 + seed % 10; x < 26 + seed % 10; ++x) im.pixels[size_t(y * 48 + x)] = 1.f;
    return im;
}

int csvRows(const std::string& path, int* columns) {
    std::ifstream f(path);
    std::string line;
    int rows = -1;
    while (std::getline(f, line)) {
        if (rows < 0 && columns) *columns = int(std::count(line.begin(), line.end(), ',')) + 1;
        ++rows;
    }
    return rows;
}

}  // namespace

TEST_CASE("anomaly: ROC-AUC and percentiles against hand-computed values") {
    CHECK(rocAuc({0.1, 0.2, 0.3}, {0.4, 0.5}) == doctest::Approx(1.0));
    CHECK(rocAuc({0.4, 0.5}, {0.1, 0.2, 0.3}) == doctest::Approx(0.0));
    CHECK(rocAuc({0.1, 0.3}, {0.2, 0.3}) == doctest::Approx((1 + 0 + 1 + 0.5) / 4.0));
    CHECK(percentile({3, 1, 2, 4, 5}, 50) == doctest::Approx(3));
    CHECK(percentile({1, 2, 3, 4}, 100) == doctest::Approx(4));
    CHECK(percentile({1, 2, 3, 4}, 25) == doctest::Approx(1.75));
    CHECK_THROWS_AS(percentile({}, 50), Error);
    CHECK_THROWS_AS(parseAnomalyScore("psnr"), Error);
}

TEST_CASE("anomaly: images with a defect score higher than normal ones, for every score and aggregate") {
    ImageModel model(flatGreyModel(), InferenceOptions{});
    for (auto kind : {AnomalyScore::MSE, AnomalyScore::SSIM})
        for (auto agg : {AnomalyAggregate::Peak, AnomalyAggregate::Mean}) {
            std::vector<double> normal, anomalous;
            for (int s = 0; s < 6; ++s) {
                normal.push_back(anomalyOf(model, greyWithSpot(s, false), kind, agg).score);
                anomalous.push_back(anomalyOf(model, greyWithSpot(s, true), kind, agg).score);
            }
            CAPTURE(int(kind));
            CAPTURE(int(agg));
            CHECK(rocAuc(normal, anomalous) == doctest::Approx(1.0));
        }
    // The MSE map is the squared distance from the model's flat grey, pixel by pixel.
    const Image im = greyWithSpot(0, true);
    const Anomaly a = anomalyOf(model, im, AnomalyScore::MSE, AnomalyAggregate::Mean);
    REQUIRE(a.map.width == 48);
    CHECK(a.map.plane(0)[10 * 48 + 21] == doctest::Approx(0.25));
    const Image overlay = heatmapOverlay(im, a.map, 0, 0.25);
    CHECK(overlay.channels == 3);
    CHECK(overlay.width == 48);
}

TEST_CASE("anomaly and embed: end to end on the command line") {
    testutil::TempDir dir;
    const std::string model = dir / "flat.safetensors";
    flatGreyModel().save(model);
    fs::create_directories(dir / "train");
    fs::create_directories(dir / "test");
    for (int s = 0; s < 8; ++s) writeImage(dir / ("train/n" + std::to_string(s) + ".png"), greyWithSpot(s, false));
    for (int s = 0; s < 3; ++s) {
        writeImage(dir / ("test/normal" + std::to_string(s) + ".png"), greyWithSpot(s, false));  // as calibrated
        writeImage(dir / ("test/defect" + std::to_string(s) + ".png"), greyWithSpot(s + 20, true));
    }
    const auto r = testutil::runAekit("anomaly --model " + model + " " + (dir / "test") + " -o " + (dir / "out") +
                                      " --calibrate " + (dir / "train") + " --percentile 100 --threads 2");
    INFO(r.output);
    REQUIRE(r.code == 0);
    CHECK(r.output.find("3 of 6 images flagged") != std::string::npos);
    int columns = 0;
    CHECK(csvRows(dir / "out/scores.csv", &columns) == 6);
    CHECK(columns == 4);
    CHECK(readImage(dir / "out/defect0.png").channels == 3);  // the overlay

    const auto e = testutil::runAekit("embed --model " + model + " " + (dir / "test") + " -o " + (dir / "codes.csv") +
                                      " --size 32 --plot " + (dir / "codes.png") + " --compare-pca " + (dir / "train") +
                                      " --threads 2");
    INFO(e.output);
    REQUIRE(e.code == 0);
    CHECK(csvRows(dir / "codes.csv", &columns) == 6);
    CHECK(columns == 1 + 4);  // file + one value per code channel
    CHECK(readImage(dir / "codes.png").width == 512);
    CHECK(e.output.find("autoencoder") != std::string::npos);
    CHECK(e.output.find("PCA") != std::string::npos);

    const auto bad = testutil::runAekit("anomaly --model " + model + " " + (dir / "test") + " -o " + (dir / "o2") + " --score psnr");
    CHECK(bad.code == 2);
}
