// Atomic writes and bounded reads (see atomic_file.hpp).
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "aekit/error.hpp"

namespace aekit::io {

namespace fs = std::filesystem;

std::string temporaryPathFor(const std::string& target) {
    const fs::path p(target);
    return (p.parent_path() / ("." + p.filename().string() + ".aekit-tmp-" + std::to_string(::getpid()))).string();
}

bool isTemporaryPath(const std::string& path) {
    const std::string f = fs::path(path).filename().string();
    return !f.empty() && f[0] == '.' && f.find(".aekit-tmp-") != std::string::npos;
}

void writeFileAtomically(const std::string& target, const void* data, size_t size) {
    const std::string tmp = temporaryPathFor(target);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(ErrorKind::Io, target + ": cannot create: " + std::strerror(errno));
    auto bail = [&](const char* what) {
        const int e = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        fail(ErrorKind::Io, target + ": " + what + ": " + std::strerror(e));
    };
    const char* p = static_cast<const char*>(data);
    size_t left = size;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            bail("cannot write");
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) bail("cannot flush to disk");
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        fail(ErrorKind::Io, target + ": cannot close: " + std::strerror(e));
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        fail(ErrorKind::Io, target + ": cannot rename into place: " + std::strerror(e));
    }
}

std::vector<uint8_t> readFile(const std::string& path, uint64_t maxBytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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
