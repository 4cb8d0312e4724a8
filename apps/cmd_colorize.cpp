// aekit colorize (placeholder until its issue lands: refuses to run).
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int runColorize(int, char**) {
    std::cerr << "aekit: 'colorize' is not built yet\n";
    return cli::kUnsupported;
}
