// SPDX-License-Identifier: Apache-2.0
// Model: task + architecture + weights in a safetensors file (the aekit metadata contract).
#include <nlohmann/json.hpp>

#include <cmath>

#include "aekit/error.hpp"
#include "aekit/model.hpp"

namespace aekit {

namespace {
constexpr float kMaxWeightMagnitude = 1e4f;

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s;
    for (auto d : shape) s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
}
}  // namespace

const char* toString(Task t) {
    switch (t) {
        case Task::Denoise: return "denoise";
        case Task::Colorize: return "colorize";
        case Task::Reconstruct: return "reconstruct";
    }
    return "?";
}

Task parseTask(const std::string& s) {
    for (Task t : {Task::Denoise, Task::Colorize, Task::Reconstruct})
        if (s == toString(t)) return t;
    fail(ErrorKind::InvalidArgument, "unknown task '" + s + "' (denoise|colorize|reconstruct)");
}

namespace {

// The channels each task's code reads and writes (docs/model-format.md): a denoiser returns the image
// it takes (1 or 3 channels); a reconstructor too; a colorizer takes L and returns 2 ab planes or one
// score per ab bin of its table (with one class weight per bin, or none).
void checkTaskChannels(const Model& m, const std::string& name) {
    const int in = m.arch.inChannels, out = m.arch.outChannels;
    auto refuse = [&](const std::string& why) { fail(ErrorKind::BadFile, name + ": " + why); };
    if (m.task != Task::Colorize) {
        if (in != 1 && in != 3) refuse(std::string("a ") + toString(m.task) + " model takes 1 or 3 channels, this one " + std::to_string(in));
        if (out != in)
            refuse(std::string("a ") + toString(m.task) + " model returns the channels it takes; this one takes " + std::to_string(in) +
                   " and returns " + std::to_string(out));
        return;
    }
    if (in != 1) refuse("a colorizer takes 1 channel (lightness), this one " + std::to_string(in));
    const auto it = m.metadata.find("aekit.colorize");
    std::string mode = "regress";
    size_t bins = 0, weights = 0;
    if (it != m.metadata.end()) {
        try {
            const auto j = nlohmann::json::parse(it->second);
            mode = j.at("mode").get<std::string>();
            if (mode == "classify") bins = j.at("bins").at("a").size();
            if (j.contains("class_weights")) weights = j.at("class_weights").size();
        } catch (const nlohmann::json::exception& e) {
            refuse(std::string("aekit.colorize metadata: ") + e.what());
        }
    }
    if (mode == "classify") {
        if (size_t(out) != bins)
            refuse("the colorizer's table has " + std::to_string(bins) + " ab bins, its network returns " + std::to_string(out) +
                   " channels");
        if (weights != 0 && weights != bins)
            refuse("the colorizer has " + std::to_string(weights) + " class weights for " + std::to_string(bins) + " ab bins");
    } else if (mode == "regress") {
        if (out != 2) refuse("a regression colorizer returns 2 channels (a*b*), this one " + std::to_string(out));
    } else {
        refuse("aekit.colorize mode '" + mode + "' (classify or regress)");
    }
}

}  // namespace

Model Model::fromContent(SafetensorsContent content, const std::string& name) {
    auto meta = [&](const std::string& key) -> const std::string& {
        auto it = content.metadata.find(key);
        if (it == content.metadata.end()) fail(ErrorKind::BadFile, name + ": not an aekit model (no '" + key + "' metadata)");
        return it->second;
    };
    const std::string& version = meta("aekit.format");
    if (version != std::to_string(kModelFormatVersion))
        fail(ErrorKind::Unsupported, name + ": model format version " + version + "; this aekit reads version " +
                                         std::to_string(kModelFormatVersion) + " (use a matching aekit or retrain)");
    Model m;
    try {
        m.task = parseTask(meta("aekit.task"));
        m.arch = Architecture::fromJson(meta("aekit.arch"));
    } catch (const Error& e) {
        fail(ErrorKind::BadFile, name + ": " + e.what());
    }
    m.metadata = content.metadata;
    checkTaskChannels(m, name);
    // The architecture comes from the file too: before a network is allocated from it, the file's
    // tensors must hold at least its parameters (checkpoints hold optimiser state too), so a hostile
    // header cannot make aekit allocate more than the file's own size.
    int64_t values = 0;
    for (const auto& [tname, t] : content.tensors) values += static_cast<int64_t>(t.data.size());
    if (m.arch.parameterCount() > values)
        fail(ErrorKind::BadFile, name + ": the architecture has " + std::to_string(m.arch.parameterCount()) +
                                     " parameters, the file's tensors hold only " + std::to_string(values) + " values");
    // Trained weights stay within a few units (the shipped models' largest is about 1.5); finite but
    // huge ones (3e38) overflow to Inf inside the network and give black images without an error.
    for (const auto& [tname, t] : content.tensors)
        for (float v : t.data) {
            if (!std::isfinite(v)) fail(ErrorKind::BadFile, name + ": tensor '" + tname + "' holds NaN or Inf");
            if (std::abs(v) > kMaxWeightMagnitude)
                fail(ErrorKind::BadFile, name + ": tensor '" + tname + "' holds " + std::to_string(v) +
                                             ", beyond any trained weight (limit " + std::to_string(int(kMaxWeightMagnitude)) + "); refused");
        }
    m.weights = std::move(content.tensors);
    m.metadata = std::move(content.metadata);
    // Every tensor the architecture's layers need, with its shape (more tensors, such as a
    // checkpoint's optimiser state, are allowed). The reader has matched each tensor's bytes to its shape.
    for (const auto& [tname, shape] : m.arch.tensorShapes()) {
        auto it = m.weights.find(tname);
        if (it == m.weights.end()) fail(ErrorKind::BadFile, name + ": tensor '" + tname + "' is missing");
        if (it->second.shape != shape)
            fail(ErrorKind::BadFile, name + ": tensor '" + tname + "' has shape " + shapeText(it->second.shape) +
                                         ", the architecture needs " + shapeText(shape));
    }
    return m;
}

Model Model::load(const std::string& path, uint64_t maxBytes) { return fromContent(readSafetensors(path, maxBytes), path); }

SafetensorsContent Model::toContent() const {
    SafetensorsContent c;
    c.metadata = metadata;
    c.metadata["aekit.format"] = std::to_string(kModelFormatVersion);
    c.metadata["aekit.task"] = toString(task);
    c.metadata["aekit.arch"] = arch.toJson();
    c.tensors = weights;
    return c;
}

void Model::save(const std::string& path) const { writeSafetensors(path, toContent()); }

}  // namespace aekit
