// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: structurally valid model files with hostile architectures and tables. The fuzz
// bytes choose a task, channels, levels, a colorizer's bin table, class weights, decode rule, working
// size and vividness, a stored context, and how the tensors lie in the data (packed, overlapping, with
// a gap); the file is then built as a safetensors writer would and loaded as aekit loads a model for
// inference (the model, its colorizer head, the tile plan under a small budget). Anything but a clean
// aekit::Error is a finding: the crashes this target stands for took a model that loaded and then
// failed inside inference (a bin table for other channels, a 3-channel colorizer).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/model.hpp"

namespace {

// The fuzz bytes as a stream of choices (zeros once they run out).
struct Choices {
    const uint8_t* data;
    size_t size, at = 0;
    uint8_t byte() { return at < size ? data[at++] : 0; }
    int pick(int n) { return n <= 1 ? 0 : byte() % n; }
    int32_t int32() {
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) v = v << 8 | byte();
        return static_cast<int32_t>(v);
    }
    float real() {
        const uint32_t bits = uint32_t(int32());
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
};

std::string safetensors(const nlohmann::json& header, size_t dataBytes) {
    const std::string text = header.dump();
    std::string out(8, '\0');
    const uint64_t n = text.size();
    std::memcpy(out.data(), &n, 8);
    return out + text + std::string(dataBytes, '\0');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Choices c{data, size};
    aekit::Architecture a;
    const char* tasks[] = {"denoise", "colorize", "reconstruct"};
    const std::string task = tasks[c.pick(3)];
    a.inChannels = 1 + c.pick(5);
    a.outChannels = c.pick(2) ? a.inChannels : 1 + c.pick(300);
    const int levels = 1 + c.pick(4);
    a.encoder.assign(size_t(levels), 0);
    a.decoder.assign(size_t(levels), 0);
    for (int& ch : a.encoder) ch = 1 + c.pick(8);
    for (int& ch : a.decoder) ch = 1 + c.pick(8);
    a.code = 1 + c.pick(8);
    a.convsPerLevel = 1 + c.pick(2);
    a.skips = c.pick(2);
    a.inputSkip = c.pick(2);
    a.residual = c.pick(2);
    a.upsample = aekit::Upsample(c.pick(3));
    a.colorSpace = task == "colorize" ? "lab" : a.inChannels == 1 ? "gray" : "rgb";
    nlohmann::json meta{{"aekit.format", "1"}, {"aekit.task", task}};
    try {
        meta["aekit.arch"] = a.toJson();
    } catch (const aekit::Error&) {
        return 0;
    }
    if (c.pick(2)) {  // a colorizer's table, consistent or not with the network
        nlohmann::json col{{"mode", c.pick(4) ? "classify" : c.pick(2) ? "regress" : "other"}};
        const int bins = c.pick(3) ? a.outChannels : c.pick(400);
        std::vector<float> ba, bb;
        for (int i = 0; i < bins; ++i) ba.push_back(float(c.pick(220)) - 110), bb.push_back(float(c.pick(220)) - 110);
        col["bins"] = {{"grid", c.pick(4) ? 10.0 : double(c.real())}, {"a", ba}, {"b", bb}};
        if (c.pick(2)) col["class_weights"] = std::vector<float>(size_t(c.pick(2) ? bins : c.pick(400)), c.pick(2) ? 1.f : c.real());
        if (c.pick(2)) col["vividness"] = c.real();
        if (c.pick(2)) col["temperature"] = c.real();
        if (c.pick(2)) col["decode"] = c.pick(2) ? "neutral-or-colour" : "mode";
        if (c.pick(2)) col["size"] = c.int32();
        meta["aekit.colorize"] = col.dump();
    }
    if (c.pick(2)) meta["aekit.context"] = nlohmann::json{{"radius", c.int32()}}.dump();
    // The tensors the architecture needs, in its order, packed; then perhaps overlapped or gapped.
    nlohmann::json header{{"__metadata__", meta}};
    uint64_t offset = 0;
    const int layout = c.pick(4);  // 0, 1: packed; 2: each over the first's bytes; 3: a gap after the first
    std::map<std::string, std::vector<int64_t>> shapes;
    try {
        shapes = a.tensorShapes();
    } catch (const aekit::Error&) {
        return 0;
    }
    uint64_t total = 0;
    for (const auto& [name, shape] : shapes) {
        uint64_t count = 1;
        for (int64_t d : shape) count *= uint64_t(d);
        const uint64_t bytes = count * 4;
        const uint64_t begin = layout == 2 ? 0 : offset;
        header[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, begin + bytes}}};
        offset += bytes + (layout == 3 && offset == 0 ? 4 : 0);
        total = std::max(total, begin + bytes);
    }
    if (layout != 2) total = offset;
    if (total > (8u << 20)) return 0;  // keep each run small and fast
    const std::string file = safetensors(header, size_t(total));
    try {
        aekit::SafetensorsContent content =
            aekit::parseSafetensors(reinterpret_cast<const uint8_t*>(file.data()), file.size(), "fuzz.safetensors");
        aekit::Model model = aekit::Model::fromContent(std::move(content), "fuzz.safetensors");
        aekit::InferenceOptions o;
        o.maxMemoryMB = 64;
        o.maxMemoryIsCeiling = true;
        aekit::ImageModel im(std::move(model), o);
        (void)im.tileFor(64, 64);
    } catch (const aekit::Error&) {
    }
    return 0;
}
