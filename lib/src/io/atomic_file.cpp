// SPDX-License-Identifier: Apache-2.0
// Atomic writes and bounded reads (see atomic_file.hpp).
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "aekit/error.hpp"

namespace aekit::io {

namespace fs = std::filesystem;

namespace {

constexpr const char* kTemporaryMark = ".aekit-tmp-";

std::string randomHex() {
    uint64_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != sizeof r) fail(ErrorKind::Io, std::string("no random source for a temporary name: ") + std::strerror(errno));
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(r));
    return hex;
}

}  // namespace

std::string temporaryPathFor(const std::string& target) {
    const fs::path p(target);
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    long limit = ::pathconf(dir.c_str(), _PC_NAME_MAX);
    if (limit <= 0) limit = 255;
    const std::string suffix = std::string(kTemporaryMark) + randomHex();
    std::string name = p.filename().string();
    const size_t room = size_t(limit) - 1 - suffix.size();  // 1 for the leading dot
    if (name.size() > room) name.resize(room);
    return (p.parent_path() / ("." + name + suffix)).string();
}

bool isTemporaryPath(const std::string& path) {
    const std::string f = fs::path(path).filename().string();
    return !f.empty() && f[0] == '.' && f.find(kTemporaryMark) != std::string::npos;
}

void writeFileAtomically(const std::string& target, const void* data, size_t size,
                         const std::function<void(const std::string& temporaryPath)>& beforeRename) {
    const std::string tmp = temporaryPathFor(target);
    auto bail = [&](int fd, const char* what, int err) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        fail(ErrorKind::Io, target + ": " + what + ": " + std::strerror(err));
    };
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) fail(ErrorKind::Io, target + ": cannot create: " + std::strerror(errno));
    const char* p = static_cast<const char*>(data);
    size_t left = size;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            bail(fd, "cannot write", errno);
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::close(fd) != 0) bail(-1, "cannot write", errno);
    if (beforeRename) {
        try {
            beforeRename(tmp);  // may replace the file (exiv2 does), hence the reopen below
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    }
    fd = ::open(tmp.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) bail(-1, "cannot reopen the temporary file", errno);
    if (::fsync(fd) != 0) bail(fd, "cannot flush to disk", errno);
    ::close(fd);
    if (::rename(tmp.c_str(), target.c_str()) != 0) bail(-1, "cannot rename into place", errno);
}

std::vector<uint8_t> readFile(const std::string& path, uint64_t maxBytes) {
    // A named pipe or device would block open() or read() forever: refused before opening, and
    // opened non-blocking in case it was swapped in meanwhile (fstat below checks again).
    struct stat before {};
    if (::stat(path.c_str(), &before) != 0) fail(ErrorKind::Io, path + ": cannot open: " + std::strerror(errno));
    if (!S_ISREG(before.st_mode)) fail(ErrorKind::Io, path + ": not a regular file (a pipe, device or folder); refused");
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fail(ErrorKind::Io, path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(ErrorKind::Io, path + ": not a regular file");
    }
    if (static_cast<uint64_t>(st.st_size) > maxBytes) {
        ::close(fd);
        fail(ErrorKind::BadFile, path + ": file is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                                     std::to_string(maxBytes));
    }
    std::vector<uint8_t> buf(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            fail(ErrorKind::Io, path + ": read failed: " + (n == 0 ? "file shrank while reading" : std::strerror(e)));
        }
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    return buf;
}

}  // namespace aekit::io
