// SPDX-License-Identifier: Apache-2.0
// Crash-safe file writes: data goes to a hidden temporary file beside the target, is flushed to
// disk, then renamed over the target, so a reader sees the old file or the new one, never half.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aekit::io {

// Name of the temporary file used for `target` by this process (".NAME.aekit-tmp-PID").
std::string temporaryPathFor(const std::string& target);
bool isTemporaryPath(const std::string& path);
// Writes bytes atomically; throws Error(Io) naming the target on any failure (disk full included)
// and leaves no temporary file behind.
// `beforeRename`, when given, may rewrite the temporary file (e.g. add metadata) before the flush.
void writeFileAtomically(const std::string& target, const void* data, size_t size,
                         const std::function<void(const std::string& temporaryPath)>& beforeRename = {});
// Reads a whole file; throws Error(Io) if missing or unreadable, Error(BadFile) if over maxBytes.
std::vector<uint8_t> readFile(const std::string& path, uint64_t maxBytes);

}  // namespace aekit::io
