// SPDX-License-Identifier: Apache-2.0
// The one exception type aekit's library throws; apps map its kind to an exit code.
#pragma once
#include <stdexcept>
#include <string>

namespace aekit {

enum class ErrorKind {
    InvalidArgument,  // a caller passed something malformed (option, spec, shape)
    BadFile,          // a file exists but its contents are wrong (truncated, corrupt, too large)
    Io,               // the file system failed (missing, unreadable, disk full)
    Unsupported,      // well-formed but outside what aekit handles (format version, layout)
    Engine,           // the compute engine (oneDNN) refused a layer or failed to run it
    Internal,         // a bug: an invariant that should have held did not
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

}  // namespace aekit
