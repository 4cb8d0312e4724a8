// SPDX-License-Identifier: Apache-2.0
// Task codecs (see codec.hpp).
#include "tasks/codec.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <vector>

#include "aekit/color.hpp"
#include "aekit/error.hpp"

namespace aekit::tasks {

Image withChannels(const Image& image, int channels) {
    if (image.channels == channels) return image;
    return channels == 1 ? toGray(image) : grayToRgb(image);
}

Image modelInput(Task task, const Architecture& arch, const Image& image) {
    if (task != Task::Colorize) return withChannels(image, arch.inChannels);
    Image L = lightness(image);
    for (float& v : L.pixels) v /= kLScale;
    return L;
}


ColorizeHead ColorizeHead::fromMetadata(const Metadata& metadata, const std::string& name) {
    ColorizeHead head;
    auto it = metadata.find("aekit.colorize");
    if (it == metadata.end()) return head;  // regression
    try {
        const auto j = nlohmann::json::parse(it->second);
        head.classify = j.at("mode").get<std::string>() == "classify";
        head.temperature = j.value("temperature", 0.38f);
        head.vividness = j.value("vividness", 1.f);
        if (head.classify) head.bins = AbBins::fromJson(j.at("bins").dump());
        head.classWeights = j.value("class_weights", std::vector<float>{});
        head.rule = AbBins::parseRule(j.value("decode", std::string("mean")));
        head.workingSize = j.value("size", kDefaultWorkingSize);
    } catch (const nlohmann::json::exception& e) {
        fail(ErrorKind::BadFile, name + ": aekit.colorize metadata: " + e.what());
    } catch (const Error& e) {
        fail(ErrorKind::BadFile, name + ": " + e.what());
    }
    if (!(head.temperature > 0.01f && head.temperature <= 10.f)) fail(ErrorKind::BadFile, name + ": bad colorize temperature");
    if (!(head.vividness >= 0.f && head.vividness <= 1.f)) fail(ErrorKind::BadFile, name + ": bad colorize vividness");
    if (head.workingSize < 0) fail(ErrorKind::BadFile, name + ": bad colorize working size " + std::to_string(head.workingSize));
    if (!head.classWeights.empty()) {
        if (!head.classify || int(head.classWeights.size()) != head.bins.count())
            fail(ErrorKind::BadFile, name + ": aekit.colorize has " + std::to_string(head.classWeights.size()) +
                                         " class weights for " + std::to_string(head.bins.count()) + " classes");
        for (float w : head.classWeights)
            if (!(w > 0.f && std::isfinite(w))) fail(ErrorKind::BadFile, name + ": aekit.colorize has a class weight that is not positive");
    }
    return head;
}

void ColorizeHead::toMetadata(Metadata& metadata) const {
    nlohmann::json j{{"mode", classify ? "classify" : "regress"}, {"temperature", temperature}, {"vividness", vividness}};
    if (classify) j["bins"] = nlohmann::json::parse(bins.toJson());
    if (!classWeights.empty()) j["class_weights"] = classWeights;
    if (rule != AbBins::Rule::Mean) j["decode"] = AbBins::toString(rule);
    if (workingSize != kDefaultWorkingSize) j["size"] = workingSize;
    metadata["aekit.colorize"] = j.dump();
}

// Vividness V in [0, 1] moves the decode between two ends:
// - V = 0, faithful: the weights divided out of the softmax (log w subtracted from the logits), so
//   the distribution is the plain posterior p(ab | L), and its mean at temperature 1: the
//   least-squares estimate (best PSNR, muted where the model is unsure).
// - V = 1, vivid: the rebalanced distribution as trained (leaning to rare, saturated colours) and its
//   annealed mean at the model's temperature (Zhang et al.'s decode).
// Between them the correction (1 - V) log w and the temperature T_vivid + (1 - V)(1 - T_vivid) move
// linearly. Without stored weights only the temperature moves.
Image ColorizeHead::decode(const float* out, int H, int W, float v) const {
    Image ab = Image::blank(W, H, 2, 8);
    const int64_t HW = int64_t(H) * W;
    if (classify) {
        if (v < 0) v = vividness;
        const float T = temperature + (1 - v) * (1 - temperature);
        std::vector<float> bias;
        if (!classWeights.empty() && v < 1) {
            bias.resize(classWeights.size());
            for (size_t q = 0; q < bias.size(); ++q) bias[q] = -(1 - v) * std::log(classWeights[q]);
        }
        bins.decode(out, HW, T, ab.plane(0), ab.plane(1), bias.empty() ? nullptr : bias.data(), rule);
    } else {
        for (int64_t i = 0; i < 2 * HW; ++i) ab.pixels[size_t(i)] = out[i] * kAbScale;
    }
    return ab;
}

}  // namespace aekit::tasks
