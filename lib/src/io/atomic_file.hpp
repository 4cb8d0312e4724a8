// SPDX-License-Identifier: Apache-2.0
// Crash-safe file writes: data goes to a hidden temporary file beside the target, is flushed to
// disk, then renamed over the target, so a reader sees the old file or the new one, never half.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aekit::io {

// A fresh temporary name beside `target`: ".NAME.aekit-tmp-RANDOM" (16 hex digits from the kernel's
// random source, so it cannot be guessed and planted), with NAME shortened so that the whole fits
// the folder's file-name limit.
std::string temporaryPathFor(const std::string& target);
bool isTemporaryPath(const std::string& path);
// Writes bytes atomically; throws Error(Io) naming the target on any failure (disk full included)
// and leaves no temporary file behind. The temporary file is created with O_EXCL and O_NOFOLLOW: a
// file or link already there is never written through.
// `beforeRename`, when given, may rewrite the temporary file (e.g. add metadata) before the flush.
void writeFileAtomically(const std::string& target, const void* data, size_t size,
                         const std::function<void(const std::string& temporaryPath)>& beforeRename = {});
// Reads a whole file; throws Error(Io) if missing or unreadable, Error(BadFile) if over maxBytes.
std::vector<uint8_t> readFile(const std::string& path, uint64_t maxBytes);

}  // namespace aekit::io
