// SPDX-License-Identifier: Apache-2.0
// Runs the aekit program as a user would: a shell command, its exit code and its output.
#pragma once
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

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

// Runs aekit with args (no shell, output discarded): its exit code and peak resident memory in MB.
inline std::pair<int, double> runMeasured(const std::vector<std::string>& args) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> argv{const_cast<char*>(AEKIT_BINARY)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::execv(AEKIT_BINARY, argv.data());
        ::_exit(127);
    }
    int status = 0;
    struct rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), double(usage.ru_maxrss) / 1024.0};
}
#endif

// Lines of output (newlines counted): an error is one line.
inline int lineCount(const std::string& text) {
    int n = 0;
    for (char c : text) n += c == '\n';
    return n;
}

}  // namespace testutil
