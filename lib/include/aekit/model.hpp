// SPDX-License-Identifier: Apache-2.0
// Model files (contract, docs/model-format.md): safetensors with aekit metadata. Checkpoints are the same
// format with optimiser state and progress added. Not the network itself (network.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "aekit/architecture.hpp"
#include "aekit/weights.hpp"

namespace aekit {

enum class Task { Denoise, Colorize, Reconstruct };
const char* toString(Task t);
Task parseTask(const std::string& s);

constexpr int kModelFormatVersion = 1;
constexpr uint64_t kDefaultMaxModelBytes = 1ull << 30;  // 1 GiB: larger files are refused unread

using Metadata = std::map<std::string, std::string>;

// Raw safetensors content: string metadata and f32 tensors.
struct SafetensorsContent {
    Metadata metadata;
    WeightMap tensors;
};

// Parse a safetensors image in memory. `name` is used in error messages. Every offset and length is
// checked against `size`; throws Error(BadFile) or Error(Unsupported) naming the problem.
SafetensorsContent parseSafetensors(const uint8_t* data, size_t size, const std::string& name);
SafetensorsContent readSafetensors(const std::string& path, uint64_t maxBytes = kDefaultMaxModelBytes);
// Written atomically (temporary file, then rename): a crash leaves the old file or the new one.
void writeSafetensors(const std::string& path, const SafetensorsContent& content);

struct Model {
    Task task = Task::Denoise;
    Architecture arch;
    WeightMap weights;
    Metadata metadata;  // everything else, e.g. "aekit.training" (JSON)

    // Throws Error naming the file: unreadable, malformed, unknown format version, missing tensors,
    // shapes that disagree with the architecture, NaN or Inf in weights.
    static Model load(const std::string& path, uint64_t maxBytes = kDefaultMaxModelBytes);
    static Model fromContent(SafetensorsContent content, const std::string& name);
    SafetensorsContent toContent() const;
    void save(const std::string& path) const;
};

}  // namespace aekit
