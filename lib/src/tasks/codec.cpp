// SPDX-License-Identifier: Apache-2.0
// Task codecs (see codec.hpp).
#include "tasks/codec.hpp"

#include <nlohmann/json.hpp>

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
        if (head.classify) head.bins = AbBins::fromJson(j.at("bins").dump());
    } catch (const nlohmann::json::exception& e) {
        fail(ErrorKind::BadFile, name + ": aekit.colorize metadata: " + e.what());
    } catch (const Error& e) {
        fail(ErrorKind::BadFile, name + ": " + e.what());
    }
    if (!(head.temperature > 0.01f && head.temperature <= 10.f)) fail(ErrorKind::BadFile, name + ": bad colorize temperature");
    return head;
}

void ColorizeHead::toMetadata(Metadata& metadata) const {
    nlohmann::json j{{"mode", classify ? "classify" : "regress"}, {"temperature", temperature}};
    if (classify) j["bins"] = nlohmann::json::parse(bins.toJson());
    metadata["aekit.colorize"] = j.dump();
}

Image ColorizeHead::decode(const float* out, int H, int W) const {
    Image ab = Image::blank(W, H, 2, 8);
    const int64_t HW = int64_t(H) * W;
    if (classify) {
        bins.decode(out, HW, temperature, ab.plane(0), ab.plane(1));
    } else {
        for (int64_t i = 0; i < 2 * HW; ++i) ab.pixels[size_t(i)] = out[i] * kAbScale;
    }
    return ab;
}

}  // namespace aekit::tasks
