// SPDX-License-Identifier: Apache-2.0
// Tier 3: model files. Save, load and run again bit-identically; malformed files are refused with
// one clear message naming the file and the problem.
#include <doctest/doctest.h>

#include <opencv2/dnn.hpp>

#include <cstring>
#include <fstream>

#include "aekit/error.hpp"
#include "aekit/model.hpp"
#include "aekit/network.hpp"
#include "aekit/onnx_export.hpp"
#include "support/temp_dir.hpp"
#include "support/test_util.hpp"

using namespace aekit;

namespace {

Architecture smallArch() {
    Architecture a;
    a.encoder = {8, 16};
    a.code = 16;
    a.decoder = {8, 16};
    return a;
}

Model trainedLikeModel() {
    Model m;
    m.task = Task::Denoise;
    m.arch = smallArch();
    Network net(m.arch, Mode::Inference);
    net.initWeights(42);
    m.weights = net.weights();
    m.metadata["aekit.training"] = R"({"steps": 0})";
    return m;
}

std::vector<float> runModel(const Model& m, const std::vector<float>& x, int H, int W) {
    Network net(m.arch, Mode::Inference);
    net.setWeights(m.weights);
    net.setShape(1, H, W);
    std::copy(x.begin(), x.end(), net.input());
    net.forward();
    return {net.output(), net.output() + x.size()};
}

std::vector<uint8_t> bytesOf(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

void writeHeaderFile(const std::string& path, const std::string& json, size_t dataBytes) {
    std::vector<uint8_t> b(8 + json.size() + dataBytes, 0);
    const uint64_t n = json.size();
    std::memcpy(b.data(), &n, 8);
    std::memcpy(b.data() + 8, json.data(), json.size());
    writeBytes(path, b);
}

}  // namespace

TEST_CASE("model file: save, load, run again bit-identically") {
    testutil::TempDir dir;
    const Model m = trainedLikeModel();
    m.save(dir / "m.safetensors");
    const Model back = Model::load(dir / "m.safetensors");
    CHECK(std::string(toString(back.task)) == "denoise");
    CHECK(back.arch.toJson() == m.arch.toJson());
    CHECK(back.metadata.at("aekit.training") == R"({"steps": 0})");
    CHECK(back.weights.size() == m.weights.size());
    auto xd = testutil::randomVec(3 * 12 * 20, 5, 0, 1);
    std::vector<float> x(xd.begin(), xd.end());
    const auto a = runModel(m, x, 12, 20), b = runModel(back, x, 12, 20);
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    // Saving the loaded model again gives the same bytes.
    back.save(dir / "again.safetensors");
    CHECK(bytesOf(dir / "m.safetensors") == bytesOf(dir / "again.safetensors"));
}

TEST_CASE("model file: malformed files are refused with a message naming file and problem") {
    testutil::TempDir dir;
    const std::string good = dir / "good.safetensors";
    trainedLikeModel().save(good);
    const auto bytes = bytesOf(good);
    auto expectError = [&](const std::string& path, const std::string& fragment) {
        CAPTURE(fragment);
        try {
            Model::load(path);
            FAIL_CHECK("no error for this file");
        } catch (const Error& e) {
            const std::string what = e.what();
            CAPTURE(what);
            CHECK(what.find(path) != std::string::npos);
            CHECK(what.find(fragment) != std::string::npos);
        }
    };
    SUBCASE("missing") { expectError(dir / "nope.safetensors", "cannot open"); }
    SUBCASE("empty") {
        writeBytes(dir / "empty.safetensors", {});
        expectError(dir / "empty.safetensors", "too short");
    }
    SUBCASE("truncated in the data") {
        writeBytes(dir / "t.safetensors", {bytes.begin(), bytes.begin() + long(bytes.size() / 2)});
        expectError(dir / "t.safetensors", "outside the file");
    }
    SUBCASE("truncated in the header") {
        writeBytes(dir / "h.safetensors", {bytes.begin(), bytes.begin() + 40});
        expectError(dir / "h.safetensors", "past the end");
    }
    SUBCASE("header length absurd") {
        auto b = bytes;
        const uint64_t huge = 1ull << 40;
        std::memcpy(b.data(), &huge, 8);
        writeBytes(dir / "l.safetensors", b);
        expectError(dir / "l.safetensors", "over the 100 MB limit");
    }
    SUBCASE("not JSON") {
        writeHeaderFile(dir / "j.safetensors", "{not json", 0);
        expectError(dir / "j.safetensors", "not valid JSON");
    }
    SUBCASE("wrong dtype") {
        writeHeaderFile(dir / "d.safetensors", R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4);
        expectError(dir / "d.safetensors", "F32 tensors only");
    }
    SUBCASE("size disagrees with shape") {
        writeHeaderFile(dir / "s.safetensors", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8);
        expectError(dir / "s.safetensors", "its shape needs 12");
    }
    SUBCASE("negative dimension") {
        writeHeaderFile(dir / "n.safetensors", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4);
        expectError(dir / "n.safetensors", "negative");
    }
    SUBCASE("not an aekit model") {
        writeHeaderFile(dir / "x.safetensors", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4);
        expectError(dir / "x.safetensors", "not an aekit model");
    }
    SUBCASE("unknown format version") {
        auto c = readSafetensors(good);
        c.metadata["aekit.format"] = "99";
        writeSafetensors(dir / "v.safetensors", c);
        expectError(dir / "v.safetensors", "version 99; this aekit reads version 1");
    }
    SUBCASE("tensor shape disagrees with the architecture") {
        auto c = readSafetensors(good);
        c.tensors["enc0a.weight"].shape = {8, 3, 1, 9};
        writeSafetensors(dir / "a.safetensors", c);
        expectError(dir / "a.safetensors", "enc0a.weight");
    }
    SUBCASE("missing tensor") {
        auto c = readSafetensors(good);
        c.tensors.erase("out.bias");
        writeSafetensors(dir / "m.safetensors", c);
        expectError(dir / "m.safetensors", "parameters, the file's tensors hold only");
    }
    SUBCASE("misnamed tensor") {
        auto c = readSafetensors(good);
        c.tensors["out.bias2"] = c.tensors.at("out.bias");
        c.tensors.erase("out.bias");
        writeSafetensors(dir / "m2.safetensors", c);
        expectError(dir / "m2.safetensors", "'out.bias' is missing");
    }
    SUBCASE("an architecture far larger than the tensors is refused before allocating it") {
        auto c = readSafetensors(good);
        Architecture huge;
        huge.encoder = {4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096};
        huge.decoder = huge.encoder;
        huge.code = 4096;
        huge.convsPerLevel = 8;
        c.metadata["aekit.arch"] = huge.toJson();
        writeSafetensors(dir / "huge.safetensors", c);
        expectError(dir / "huge.safetensors", "parameters, the file's tensors hold only");
    }
    SUBCASE("NaN in weights") {
        auto c = readSafetensors(good);
        c.tensors["enc1a.bias"].data[0] = NAN;
        writeSafetensors(dir / "nan.safetensors", c);
        expectError(dir / "nan.safetensors", "NaN or Inf");
    }
    SUBCASE("bad architecture JSON") {
        auto c = readSafetensors(good);
        c.metadata["aekit.arch"] = R"({"in_channels": 3})";
        writeSafetensors(dir / "arch.safetensors", c);
        expectError(dir / "arch.safetensors", "architecture JSON");
    }
    SUBCASE("over the size limit") {
        try {
            Model::load(good, 100);
            FAIL_CHECK("no error");
        } catch (const Error& e) {
            CHECK(std::string(e.what()).find("over the limit") != std::string::npos);
        }
    }
}

TEST_CASE("model file: architecture JSON numbers must be integers in range (a fuzzer finding)") {
    const std::string good = Architecture().toJson();
    auto withEncoder = [&](const std::string& list) {
        const auto at = good.find("\"encoder\":[");
        REQUIRE(at != std::string::npos);
        const auto end = good.find(']', at);
        return good.substr(0, at) + "\"encoder\":[" + list + good.substr(end);
    };
    CHECK_NOTHROW(Architecture::fromJson(withEncoder("8,16,24,32")));
    for (const char* bad : {"6.6e125,4,4,4", "1099511627776,4,4,4", "4.5,4,4,4", "\"8\",4,4,4"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(Architecture::fromJson(withEncoder(bad)), Error);
    }
}

TEST_CASE("model file: one list of layers gives the network, its tensors, its cost and its receptive field") {
    // Cost and receptive field against values worked out by hand for each architecture (the level
    // walk of the first release, before the list of layers existed).
    Architecture a;
    double macs = 0;
    int field = 0;
    SUBCASE("default U-Net") {
        macs = 99774;
        field = 202;
    }
    SUBCASE("input skip, bilinear") {
        a.inputSkip = true;
        a.upsample = Upsample::Bilinear;
        macs = 100638;
        field = 232;
    }
    SUBCASE("plain autoencoder with deconvolution, 3 convs, 1 in 2 out") {
        a.skips = false;
        a.residual = false;
        a.upsample = Upsample::Deconv;
        a.convsPerLevel = 3;
        a.inChannels = 1;
        a.outChannels = 2;
        a.encoder = {5, 7, 9};
        a.decoder = {4, 6, 8};
        macs = 5612.3125;
        field = 142;
    }
    CHECK(a.macsPerPixel() == doctest::Approx(macs).epsilon(1e-12));
    CHECK(a.receptiveField() == field);
    Network net(a, Mode::Inference);
    CHECK(a.parameterCount() == net.parameterCount());
    // The graph built from the layers holds exactly the tensors the model file must hold.
    const auto shapes = a.tensorShapes();
    const WeightMap weights = net.weights();
    CHECK(weights.size() == shapes.size());
    for (const auto& [name, t] : weights) {
        CAPTURE(name);
        REQUIRE(shapes.count(name));
        CHECK(shapes.at(name) == t.shape);
    }
}

TEST_CASE("model file: a tensor missing or of the wrong shape is refused naming it, without building a network") {
    testutil::TempDir dir;
    Model m = trainedLikeModel();
    auto c = m.toContent();
    c.tensors["dec0a.offset"] = c.tensors.at("dec0a.bias");  // renamed: as many values, one name missing
    c.tensors.erase("dec0a.bias");
    writeSafetensors(dir / "missing.safetensors", c);
    try {
        Model::load(dir / "missing.safetensors");
        FAIL("a model without dec0a.bias loaded");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::BadFile);
        CHECK(std::string(e.what()).find("'dec0a.bias' is missing") != std::string::npos);
    }
    c = m.toContent();
    c.tensors["out.weight"].shape = {c.tensors["out.weight"].shape[1], c.tensors["out.weight"].shape[0], 3, 3};
    writeSafetensors(dir / "shape.safetensors", c);
    try {
        Model::load(dir / "shape.safetensors");
        FAIL("a model with a transposed out.weight loaded");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("'out.weight' has shape") != std::string::npos);
    }
}

TEST_CASE("model file: checkpoints carry optimiser state beside the weights and still load as models") {
    testutil::TempDir dir;
    Model m = trainedLikeModel();
    auto c = m.toContent();
    c.tensors["opt.m.enc0a.weight"] = {{4}, {1, 2, 3, 4}};
    c.metadata["aekit.checkpoint"] = R"({"step": 7})";
    writeSafetensors(dir / "c.ckpt", c);
    const auto back = readSafetensors(dir / "c.ckpt");
    CHECK(back.tensors.at("opt.m.enc0a.weight").data == std::vector<float>{1, 2, 3, 4});
    CHECK(std::string(toString(Model::load(dir / "c.ckpt").task)) == "denoise");
}

// The exported ONNX file, loaded by an independent importer (OpenCV's dnn module), computes what
// aekit's network computes: several architectures, covering every operator the export writes.
TEST_CASE("model file: ONNX export runs in OpenCV's dnn module with aekit's outputs") {
    struct Case {
        const char* what;
        Architecture arch;
    };
    std::vector<Case> cases;
    {
        Architecture a;  // the shipped photo and colour models' shape: nearest, skips with the input, residual
        a.encoder = {8, 12};
        a.code = 16;
        a.decoder = {8, 12};
        a.inputSkip = true;
        cases.push_back({"nearest, skips with input, residual", a});
        Architecture d = a;  // deconvolution, leaky ReLU, no skips, sigmoid output, no residual, grey
        d.upsample = Upsample::Deconv;
        d.activation = d.codeActivation = Activation::LeakyReLU;
        d.skips = d.inputSkip = d.residual = false;
        d.outputActivation = Activation::Sigmoid;
        d.inChannels = d.outChannels = 1;
        d.colorSpace = "gray";
        cases.push_back({"deconv, leaky ReLU, sigmoid output, grey", d});
        Architecture t = a;  // tanh, three convolutions per level, three levels
        t.encoder = {8, 8, 12};
        t.decoder = {8, 8, 12};
        t.convsPerLevel = 3;
        t.activation = t.codeActivation = Activation::Tanh;
        cases.push_back({"tanh, 3 levels, 3 convs", t});
    }
    for (const Case& c : cases) {
        CAPTURE(c.what);
        Model m;
        m.arch = c.arch;
        Network net(m.arch, Mode::Inference);
        net.initWeights(7);
        for (const auto& [name, t] : net.weights()) m.weights.emplace(name, t);
        // Biases are zero at initialisation: give them values, so that the export's are checked too.
        for (auto& [name, t] : m.weights)
            if (name.size() > 5 && name.substr(name.size() - 5) == ".bias")
                for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = 0.05f * float(int(i % 7) - 3);
        net.setWeights(m.weights);
        const int H = 48, W = 64, C = m.arch.inChannels;
        net.setShape(1, H, W);
        const auto input = testutil::randomFloatVec(size_t(C) * H * W, 11, 0, 1);
        for (size_t i = 0; i < input.size(); ++i) net.input()[i] = float(input[i]);
        net.forward();

        const std::vector<uint8_t> onnx = exportOnnx(m);
        cv::dnn::Net cvNet = cv::dnn::readNetFromONNX(reinterpret_cast<const char*>(onnx.data()), onnx.size());
        REQUIRE(!cvNet.empty());
        const int dims[4] = {1, C, H, W};
        cv::Mat blob(4, dims, CV_32F);
        for (size_t i = 0; i < input.size(); ++i) blob.ptr<float>()[i] = float(input[i]);
        cvNet.setInput(blob);
        const cv::Mat out = cvNet.forward();
        REQUIRE(out.total() == size_t(m.arch.outChannels) * H * W);
        double worst = 0;
        for (size_t i = 0; i < out.total(); ++i) worst = std::max(worst, double(std::abs(out.ptr<float>()[i] - net.output()[i])));
        CAPTURE(worst);
        CHECK(worst < 1e-4);
    }
    // Bilinear upsampling has no opset-9 form OpenCV reads the same way: refused, saying so.
    Model b;
    b.arch.upsample = Upsample::Bilinear;
    CHECK_THROWS_WITH_AS(exportOnnx(b), doctest::Contains("bilinear"), Error);
}
