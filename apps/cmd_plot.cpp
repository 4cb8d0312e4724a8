// SPDX-License-Identifier: Apache-2.0
// aekit plot LOG.csv... [-o PLOT.png]: draws training logs as train draws them while it runs (loss
// and validation curves), so that a log kept alone can be looked at again.
#include <cctype>
#include <iostream>

#include "aekit/error.hpp"
#include "aekit/output_files.hpp"
#include "aekit/trainer.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

// LOG.csv -> LOG.plot.png beside it (train's own name for the plot of MODEL.csv).
std::string plotBeside(const std::string& log) {
    const std::string stem = log.size() > 4 && log.compare(log.size() - 4, 4, ".csv") == 0 ? log.substr(0, log.size() - 4) : log;
    return stem + ".plot.png";
}

bool endsWithPng(const std::string& path) {
    if (path.size() < 4) return false;
    std::string ext = path.substr(path.size() - 4);
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".png";
}

}  // namespace

int runPlot(int argc, char** argv) {
    namespace po = cli::po;
    std::vector<std::string> logs;
    std::string out, label;
    po::options_description opts("options");
    po::positional_options_description pos;
    // clang-format off
    opts.add_options()
        ("log", po::value(&logs)->required(), "training logs (MODEL.csv, written by train)")
        ("output,o", po::value(&out), "the PNG to write (one log only; default: LOG.plot.png beside each log)")
        ("val-label", po::value(&label)->default_value("PSNR (dB)"), "what the validation column measures (a colorizer's: \"PSNR (colour)\")")
        ("help,h", "this help");
    // clang-format on
    pos.add("log", -1);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit plot LOG.csv... [-o PLOT.png] [--val-label TEXT]", opts, pos, vm)) return cli::kOk;
    if (!out.empty() && logs.size() != 1)
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "-o names one plot: give one log, or leave -o out to write each beside its log");
    std::vector<std::string> plots;
    for (const std::string& log : logs) {
        const std::string png = out.empty() ? plotBeside(log) : out;
        if (!endsWithPng(png)) throw aekit::Error(aekit::ErrorKind::InvalidArgument, cli::oneLine(png) + ": a plot is a PNG; name it .png");
        aekit::refuseOutputOverInput(png, logs, "-o");
        aekit::refuseUnwritableOutput(png, "-o");
        plots.push_back(png);
    }
    int failed = 0;
    for (size_t k = 0; k < logs.size(); ++k) {
        try {
            aekit::plotTrainingLog(logs[k], plots[k], label);
            std::cerr << "plot: " << cli::oneLine(plots[k]) << "\n";
        } catch (const aekit::Error& e) {
            if (logs.size() == 1) throw;
            std::cerr << "plot: " << cli::oneLine(e.what()) << "\n";
            ++failed;
        }
    }
    if (failed) std::cerr << "plot: " << failed << " of " << logs.size() << " logs failed\n";
    return failed ? cli::kSomeFailed : cli::kOk;
}
