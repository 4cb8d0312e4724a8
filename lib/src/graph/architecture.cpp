// SPDX-License-Identifier: Apache-2.0
// Architecture: validation, cost figures and its JSON form (aekit.arch in the model file).
#include "aekit/architecture.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

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

int64_t Architecture::parameterCount() const {
    const int L = levels();
    int64_t n = 0;
    auto conv = [&](int64_t ic, int64_t oc) { n += oc * ic * 9 + oc; };  // 3x3 weights and a bias
    int c = inChannels;
    for (int l = 0; l < L; ++l)
        for (int k = 0; k < convsPerLevel; ++k) conv(std::exchange(c, encoder[l]), encoder[l]);
    for (int k = 0; k < convsPerLevel; ++k) conv(std::exchange(c, code), code);
    for (int l = L - 1; l >= 0; --l) {
        if (upsample == Upsample::Deconv) n += int64_t(c) * c * 4;  // 2x2, no bias
        if (skips) c += encoder[l] + (l == 0 && inputSkip ? inChannels : 0);
        for (int k = 0; k < convsPerLevel; ++k) conv(std::exchange(c, decoder[l]), decoder[l]);
    }
    conv(c, outChannels);
    return n;
}

double Architecture::macsPerPixel() const {
    const int L = levels();
    double macs = 0;
    auto conv = [&](int ic, int oc, int level) { macs += 9.0 * ic * oc / double(1 << (2 * level)); };
    int c = inChannels;
    for (int l = 0; l < L; ++l)
        for (int k = 0; k < convsPerLevel; ++k) conv(std::exchange(c, encoder[l]), encoder[l], l);
    for (int k = 0; k < convsPerLevel; ++k) conv(std::exchange(c, code), code, L);
    for (int l = L - 1; l >= 0; --l) {
        if (upsample == Upsample::Deconv) macs += double(c) * c / double(1 << (2 * l));  // 2x2 s2: IC*OC per out px
        if (skips) c += encoder[l] + (l == 0 && inputSkip ? inChannels : 0);
        for (int k = 0; k < convsPerLevel; ++k) conv(std::exchange(c, decoder[l]), decoder[l], l);
    }
    conv(c, outChannels, 0);
    return macs;
}

int Architecture::receptiveField() const {
    // Along the deepest path: rf grows by (k-1)*jump per layer; pooling doubles the jump.
    int rf = 1, jump = 1;
    const int L = levels();
    for (int l = 0; l < L; ++l) {
        rf += 2 * jump * convsPerLevel;
        rf += jump;
        jump *= 2;
    }
    rf += 2 * jump * convsPerLevel;
    for (int l = L - 1; l >= 0; --l) {
        if (upsample == Upsample::Bilinear) rf += jump;
        jump /= 2;
        rf += 2 * jump * convsPerLevel;
    }
    return rf + 2;  // output conv
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
