// SPDX-License-Identifier: Apache-2.0
// Architecture: validation, its list of layers and what is derived from it (tensor shapes, cost,
// receptive field), and its JSON form (aekit.arch in the model file).
#include "aekit/architecture.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <utility>

#include "aekit/error.hpp"

namespace aekit {

namespace {
void require(bool ok, const std::string& what) {
    if (!ok) fail(ErrorKind::InvalidArgument, "architecture: " + what);
}
}  // namespace

const char* toString(Activation a) {
    switch (a) {
        case Activation::None: return "none";
        case Activation::ReLU: return "relu";
        case Activation::LeakyReLU: return "leakyrelu";
        case Activation::Sigmoid: return "sigmoid";
        case Activation::Tanh: return "tanh";
    }
    return "?";
}
const char* toString(Upsample u) {
    switch (u) {
        case Upsample::Nearest: return "nearest";
        case Upsample::Bilinear: return "bilinear";
        case Upsample::Deconv: return "deconv";
    }
    return "?";
}
Activation parseActivation(const std::string& s) {
    for (Activation a : {Activation::None, Activation::ReLU, Activation::LeakyReLU, Activation::Sigmoid, Activation::Tanh})
        if (s == toString(a)) return a;
    fail(ErrorKind::InvalidArgument, "unknown activation '" + s + "' (none|relu|leakyrelu|sigmoid|tanh)");
}
Upsample parseUpsample(const std::string& s) {
    for (Upsample u : {Upsample::Nearest, Upsample::Bilinear, Upsample::Deconv})
        if (s == toString(u)) return u;
    fail(ErrorKind::InvalidArgument, "unknown upsampling '" + s + "' (nearest|bilinear|deconv)");
}

void Architecture::validate() const {
    constexpr int kMaxChannels = 4096;
    require(inChannels >= 1 && inChannels <= kMaxChannels, "input channels must be 1.." + std::to_string(kMaxChannels));
    require(outChannels >= 1 && outChannels <= kMaxChannels, "output channels must be 1.." + std::to_string(kMaxChannels));
    require(levels() >= 1 && levels() <= 8, "levels must be 1..8");
    require(decoder.size() == encoder.size(), "decoder must list one channel count per encoder level");
    for (int c : encoder) require(c >= 1 && c <= kMaxChannels, "encoder channels must be 1.." + std::to_string(kMaxChannels));
    for (int c : decoder) require(c >= 1 && c <= kMaxChannels, "decoder channels must be 1.." + std::to_string(kMaxChannels));
    require(code >= 1 && code <= kMaxChannels, "code channels must be 1.." + std::to_string(kMaxChannels));
    require(convsPerLevel >= 1 && convsPerLevel <= 8, "convolutions per level must be 1..8");
    require(!inputSkip || skips, "an input skip needs skips on");
    require(!residual || inChannels == outChannels, "a residual output needs as many output as input channels");
    require(!residual || outputActivation == Activation::None, "a residual output cannot have an output activation");
    require(activation != Activation::None, "the hidden activation cannot be none");
    require(colorSpace == "rgb" || colorSpace == "gray" || colorSpace == "lab", "colour space must be rgb, gray or lab");
}

const char* toString(LayerKind k) {
    switch (k) {
        case LayerKind::Conv3x3: return "conv3x3";
        case LayerKind::MaxPool2x2: return "maxpool2x2";
        case LayerKind::Upsample2x: return "upsample2x";
        case LayerKind::Deconv2x2: return "deconv2x2";
        case LayerKind::Concat: return "concat";
        case LayerKind::Residual: return "residual";
    }
    return "?";
}

std::vector<Layer> Architecture::layers() const {
    validate();
    const int L = levels();
    std::vector<Layer> out;
    int c = inChannels;
    auto conv = [&](std::string name, int oc, int level, Activation act) {
        out.push_back({std::move(name), LayerKind::Conv3x3, std::exchange(c, oc), oc, level, act});
    };
    auto indexed = [](const char* stage, int level, int k) {
        return stage + std::to_string(level) + static_cast<char>('a' + k);
    };
    for (int l = 0; l < L; ++l) {
        for (int k = 0; k < convsPerLevel; ++k) conv(indexed("enc", l, k), encoder[l], l, activation);
        out.push_back({"pool" + std::to_string(l), LayerKind::MaxPool2x2, c, c, l + 1});
    }
    for (int k = 0; k < convsPerLevel; ++k)
        conv(std::string("code") + static_cast<char>('a' + k), code, L, k + 1 == convsPerLevel ? codeActivation : activation);
    for (int l = L - 1; l >= 0; --l) {
        const std::string up = "up" + std::to_string(l);
        out.push_back({up, upsample == Upsample::Deconv ? LayerKind::Deconv2x2 : LayerKind::Upsample2x, c, c, l});
        if (skips) {
            const bool withInput = l == 0 && inputSkip;
            const int joined = c + encoder[l] + (withInput ? inChannels : 0);
            out.push_back({"concat" + std::to_string(l), LayerKind::Concat, c, joined, l, Activation::None, withInput});
            c = joined;
        }
        for (int k = 0; k < convsPerLevel; ++k) conv(indexed("dec", l, k), decoder[l], l, activation);
    }
    conv("out", outChannels, 0, outputActivation);
    if (residual) out.push_back({"residual", LayerKind::Residual, c, c, 0});
    return out;
}

std::map<std::string, std::vector<int64_t>> Architecture::tensorShapes() const {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const Layer& layer : layers()) {
        if (layer.kind == LayerKind::Conv3x3) {
            shapes[layer.name + ".weight"] = {layer.outChannels, layer.inChannels, 3, 3};
            shapes[layer.name + ".bias"] = {layer.outChannels};
        } else if (layer.kind == LayerKind::Deconv2x2) {
            shapes[layer.name + ".weight"] = {layer.outChannels, layer.inChannels, 2, 2};
        }
    }
    return shapes;
}

int64_t Architecture::parameterCount() const {
    int64_t n = 0;
    for (const auto& [name, shape] : tensorShapes()) {
        int64_t size = 1;
        for (int64_t d : shape) size *= d;
        n += size;
    }
    return n;
}

double Architecture::macsPerPixel() const {
    double macs = 0;
    for (const Layer& layer : layers()) {
        const double perPixelShare = 1.0 / double(int64_t(1) << (2 * layer.level));  // its pixels per input pixel
        if (layer.kind == LayerKind::Conv3x3) macs += 9.0 * layer.inChannels * layer.outChannels * perPixelShare;
        // 2x2 stride 2: each output pixel takes one tap of each input channel per output channel.
        if (layer.kind == LayerKind::Deconv2x2) macs += double(layer.inChannels) * layer.outChannels * perPixelShare;
    }
    return macs;
}

int Architecture::receptiveField() const {
    // Along the deepest path: a 3x3 convolution widens it by 2 of its pixels, 2x2 pooling by 1 (and
    // doubles the pixel size), bilinear upsampling by 1 of the coarse pixels; a 2x2 stride-2
    // deconvolution or nearest upsampling reads one coarse pixel per output pixel.
    int rf = 1;
    for (const Layer& layer : layers()) {
        const int pixel = 1 << layer.level;  // input pixels per pixel of this layer's output
        switch (layer.kind) {
            case LayerKind::Conv3x3: rf += 2 * pixel; break;
            case LayerKind::MaxPool2x2: rf += pixel / 2; break;
            case LayerKind::Upsample2x:
                if (upsample == Upsample::Bilinear) rf += 2 * pixel;
                break;
            default: break;
        }
    }
    return rf;
}

std::string Architecture::toJson() const {
    nlohmann::json j{{"in_channels", inChannels},
                     {"out_channels", outChannels},
                     {"encoder", encoder},
                     {"code", code},
                     {"decoder", decoder},
                     {"convs_per_level", convsPerLevel},
                     {"skips", skips},
                     {"input_skip", inputSkip},
                     {"residual", residual},
                     {"upsample", toString(upsample)},
                     {"activation", toString(activation)},
                     {"code_activation", toString(codeActivation)},
                     {"output_activation", toString(outputActivation)},
                     {"color_space", colorSpace}};
    return j.dump();
}

namespace {

// An integer field: a JSON integer within int's range (nlohmann's get<int> on 1e300 or 2^40 would
// convert out of range, undefined behaviour: the architecture fuzzer found it).
int integer(const nlohmann::json& v, const char* key) {
    if (!v.is_number_integer()) fail(ErrorKind::BadFile, std::string("'") + key + "' must be an integer");
    const auto x = v.get<int64_t>();
    if (x < INT32_MIN || x > INT32_MAX) fail(ErrorKind::BadFile, std::string("'") + key + "' is out of range");
    return static_cast<int>(x);
}

std::vector<int> integers(const nlohmann::json& v, const char* key) {
    if (!v.is_array()) fail(ErrorKind::BadFile, std::string("'") + key + "' must be a list of integers");
    std::vector<int> out;
    for (const auto& x : v) out.push_back(integer(x, key));
    return out;
}

}  // namespace

Architecture Architecture::fromJson(const std::string& text) {
    Architecture a;
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_object()) fail(ErrorKind::BadFile, "architecture JSON is not an object");
        a.inChannels = integer(j.at("in_channels"), "in_channels");
        a.outChannels = integer(j.at("out_channels"), "out_channels");
        a.encoder = integers(j.at("encoder"), "encoder");
        a.code = integer(j.at("code"), "code");
        a.decoder = integers(j.at("decoder"), "decoder");
        a.convsPerLevel = integer(j.at("convs_per_level"), "convs_per_level");
        a.skips = j.at("skips").get<bool>();
        a.inputSkip = j.value("input_skip", false);
        a.residual = j.at("residual").get<bool>();
        a.upsample = parseUpsample(j.at("upsample").get<std::string>());
        a.activation = parseActivation(j.at("activation").get<std::string>());
        a.codeActivation = parseActivation(j.value("code_activation", std::string(toString(a.activation))));
        a.outputActivation = parseActivation(j.value("output_activation", std::string("none")));
        a.colorSpace = j.value("color_space", std::string("rgb"));
    } catch (const nlohmann::json::exception& e) {
        fail(ErrorKind::BadFile, std::string("architecture JSON: ") + e.what());
    } catch (const Error& e) {
        fail(ErrorKind::BadFile, std::string("architecture JSON: ") + e.what());
    }
    try {
        a.validate();
    } catch (const Error& e) {
        fail(ErrorKind::BadFile, e.what());
    }
    return a;
}

Architecture Architecture::benchUnet() {
    Architecture a;
    a.inChannels = a.outChannels = 3;
    a.encoder = {32, 64};
    a.code = 128;
    a.decoder = {32, 64};
    a.convsPerLevel = 2;
    a.skips = true;
    a.inputSkip = false;
    a.residual = true;
    a.upsample = Upsample::Nearest;
    return a;
}

}  // namespace aekit
