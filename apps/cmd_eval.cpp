// aekit eval (placeholder until its issue lands: refuses to run).
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"

int runEval(int, char**) {
    std::cerr << "aekit: 'eval' is not built yet\n";
    return cli::kUnsupported;
}
