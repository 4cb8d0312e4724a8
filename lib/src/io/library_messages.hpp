// SPDX-License-Identifier: Apache-2.0
// Third-party decoders print to stderr on their own (libpng's "libpng error: ...", libjpeg's
// "Corrupt JPEG data: ..."), beside aekit's one line per problem. While a LibraryMessages object
// lives, whatever is written to the process's stderr goes to a memory file instead, so aekit can
// fold it into its own line. One at a time in the process, under the mutex of aekit::stderrLock(),
// which other printers take meanwhile: only decoders run under it.
#pragma once
#include <mutex>
#include <string>

namespace aekit::io {

class LibraryMessages {
public:
    LibraryMessages();   // flushes stderr, points file descriptor 2 at a memory file
    ~LibraryMessages();  // puts stderr back (if take() did not)
    LibraryMessages(const LibraryMessages&) = delete;
    LibraryMessages& operator=(const LibraryMessages&) = delete;
    // Puts stderr back and returns what was printed meanwhile, its lines joined by "; " (empty: none).
    std::string take();

private:
    std::unique_lock<std::mutex> lock_;
    int saved_ = -1, capture_ = -1;
};

}  // namespace aekit::io
