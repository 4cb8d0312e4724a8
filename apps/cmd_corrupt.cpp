// aekit corrupt (placeholder until its issue lands: refuses to run).
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int runCorrupt(int, char**) {
    std::cerr << "aekit: 'corrupt' is not built yet\n";
    return cli::kUnsupported;
}
