// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the command line. The input is split at newlines into a subcommand and its
// arguments; each command parses and checks them (Boost.Program_options, value conversions, the
// range-checking notifiers) and stops there (cli::parseOnly), before any file is touched. A parse
// must end in Parsed, --help, or one of aekit's usage errors; anything else escapes and is a finding.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    cli::parseOnly = true;
    static std::ofstream null("/dev/null");
    std::cout.rdbuf(null.rdbuf());  // --help texts
    std::cerr.rdbuf(null.rdbuf());  // aekit's one-line errors (libFuzzer's own report stays on stderr)
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> tokens(1);
    for (size_t i = 0; i < size && tokens.size() <= 40; ++i) {
        if (data[i] == '\n') tokens.emplace_back();
        else if (data[i] != 0) tokens.back() += char(data[i]);
    }
    const auto& table = commands();
    const Command* command = nullptr;
    for (const auto& c : table)
        if (tokens[0] == c.name) command = &c;
    if (!command) command = &table[size % table.size()];
    std::vector<char*> argv;
    std::string name = command->name;
    argv.push_back(name.data());
    for (size_t i = 1; i < tokens.size(); ++i) argv.push_back(tokens[i].data());
    argv.push_back(nullptr);
    try {
        const int code = cli::guarded([&] { return command->run(int(argv.size()) - 1, argv.data()); });
        if (code != cli::kOk && code != cli::kUsage) std::abort();  // parsing alone can only succeed or refuse
    } catch (const cli::Parsed&) {
    }
    return 0;
}
