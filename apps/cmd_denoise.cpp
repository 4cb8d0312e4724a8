// aekit denoise (placeholder until its issue lands: refuses to run).
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int runDenoise(int, char**) {
    std::cerr << "aekit: 'denoise' is not built yet\n";
    return cli::kUnsupported;
}
