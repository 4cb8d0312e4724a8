// aekit bench (placeholder until its issue lands: refuses to run).
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int runBench(int, char**) {
    std::cerr << "aekit: 'bench' is not built yet\n";
    return cli::kUnsupported;
}
