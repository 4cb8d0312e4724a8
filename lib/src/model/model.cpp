// SPDX-License-Identifier: Apache-2.0
// Model: task + architecture + weights in a safetensors file (the aekit metadata contract).
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
