// SPDX-License-Identifier: Apache-2.0
// Capturing what third-party libraries print to stderr (see library_messages.hpp).
#include "io/library_messages.hpp"

#include "aekit/image.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>

namespace aekit {

namespace {

std::mutex& captureMutex() {
    static std::mutex m;
    return m;
}

}  // namespace

std::unique_lock<std::mutex> stderrLock(bool wait) {
    return wait ? std::unique_lock<std::mutex>(captureMutex()) : std::unique_lock<std::mutex>(captureMutex(), std::try_to_lock);
}

namespace io {

LibraryMessages::LibraryMessages() : lock_(captureMutex()) {
    std::fflush(stderr);
    capture_ = ::memfd_create("aekit-library-messages", MFD_CLOEXEC);
    if (capture_ < 0) return;  // no capture: the messages reach stderr as before
    saved_ = ::dup(2);
    if (saved_ < 0 || ::dup2(capture_, 2) < 0) {
        if (saved_ >= 0) ::close(saved_);
        ::close(capture_);
        saved_ = capture_ = -1;
    }
}

std::string LibraryMessages::take() {
    if (capture_ < 0) return {};
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    std::string text, out;
    char buf[4096];
    for (off_t at = 0;;) {
        const ssize_t n = ::pread(capture_, buf, sizeof buf, at);
        if (n <= 0 || text.size() > (1u << 16)) break;
        text.append(buf, size_t(n));
        at += n;
    }
    ::close(capture_);
    saved_ = capture_ = -1;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) out += (out.empty() ? "" : "; ") + line;
        start = end + 1;
    }
    if (out.size() > 300) out = out.substr(0, 300) + "...";
    return out;
}

LibraryMessages::~LibraryMessages() { take(); }

}  // namespace io
}  // namespace aekit
