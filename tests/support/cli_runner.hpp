// SPDX-License-Identifier: Apache-2.0
// Runs the aekit program as a user would: a shell command, its exit code and its output.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace testutil {

struct RunResult {
    int code = -1;
    std::string output;  // stdout and stderr together
};

// A shell command line; stdout and stderr together.
inline RunResult runCommand(const std::string& commandLine) {
    const std::string cmd = commandLine + " 2>&1";
    RunResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

#ifdef AEKIT_BINARY
inline RunResult runAekit(const std::string& args) { return runCommand(std::string(AEKIT_BINARY) + " " + args); }
#endif

// Lines of output (newlines counted): an error is one line.
inline int lineCount(const std::string& text) {
    int n = 0;
    for (char c : text) n += c == '\n';
    return n;
}

}  // namespace testutil
