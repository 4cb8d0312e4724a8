// SPDX-License-Identifier: Apache-2.0
// aekit: one program, one subcommand per file (commands.hpp lists them).
#include <cstring>
#include <iostream>

#include "aekit/cluster.hpp"
#include "aekit/error.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

void usage(std::ostream& os) {
    os << "aekit " << AEKIT_VERSION << ": denoise and colorize images with convolutional autoencoders (oneDNN)\n\n"
       << "usage: aekit <command> [options]   (aekit <command> --help for its options)\n\ncommands:\n";
    for (const auto& c : commands()) os << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
    os << "\nexit codes: 0 ok, 1 some items failed, 2 usage, 3 bad file, 4 I/O, 5 unsupported, 70+ internal, 130 "
          "interrupted\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(std::cerr);
        return cli::kUsage;
    }
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage(std::cout);
        return cli::kOk;
    }
    if (cmd == "--version") {
        std::cout << "aekit " << AEKIT_VERSION << "\n";
        return cli::kOk;
    }
    for (const auto& c : commands())
        if (cmd == c.name)
            return cli::guarded([&] {
                if (aekit::Cluster::job().distributed() && !c.ranks)
                    throw aekit::Error(aekit::ErrorKind::InvalidArgument,
                                       std::string("aekit ") + c.name +
                                           " runs as one process, not under mpirun (train, denoise, colorize and corrupt run as jobs of ranks)");
                return c.run(argc - 1, argv + 1);
            });
    std::cerr << "aekit: unknown command '" << cmd << "'\n\n";
    usage(std::cerr);
    return cli::kUsage;
}
