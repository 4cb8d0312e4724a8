// SPDX-License-Identifier: Apache-2.0
// aekit corrupt IN... -o OUT --noise SPEC: seeded noisy copies and a manifest with their PSNR.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>

#include "aekit/cluster.hpp"
#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/metrics.hpp"
#include "aekit/noise.hpp"
#include "aekit/output_files.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

std::string number(double v) {
    if (std::isinf(v)) return "inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

int runCorrupt(int argc, char** argv) {
    namespace po = cli::po;
    cli::BatchArgs batch;
    std::string spec, manifest;
    uint64_t seed = 1;
    po::options_description opts("options");
    po::positional_options_description pos;
    cli::addBatchOptions(opts, pos, batch, "clean image files or folders (recursive)");
    // clang-format off
    opts.add_options()
        ("noise", po::value(&spec)->required(), aekit::NoiseSpec::grammar())
        ("seed", cli::seedValue(seed), "seed: the same seed and input give the same bytes")
        ("manifest", po::value(&manifest), "CSV manifest (default: OUT/manifest.csv, or OUT.csv for one file)");
    // clang-format on
    cli::addCommon(opts);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit corrupt IN... -o OUT --noise SPEC [--seed N]", opts, pos, vm)) return cli::kOk;
    cli::applyThreads(vm);
    const aekit::NoiseSpec noise = aekit::NoiseSpec::parse(spec);  // refused before any file is touched
    const bool oneFile = aekit::isImagePath(batch.out);
    // Standard input or output: a manifest only when --manifest names one.
    const bool streams = batch.out == "-" || (batch.inputs.size() == 1 && batch.inputs[0] == "-");
    const bool manifestGiven = !manifest.empty();  // the default goes into the output folder the batch creates
    if (manifest.empty() && !streams) manifest = oneFile ? batch.out + ".csv" : batch.out + "/manifest.csv";
    if (!manifest.empty()) {
        aekit::refuseImageNameForText(manifest, "--manifest");
        aekit::refuseOutputOverInput(manifest, batch.inputs, "--manifest");
        if (manifestGiven) aekit::refuseUnwritableOutput(manifest, "--manifest");
    }
    // file -> the rest of its row (noise, seed, sigma, PSNR). An earlier run's rows are kept for the
    // outputs still there, so that a rerun after an interruption lists every output.
    std::map<std::string, std::vector<std::string>> rows;
    if (std::ifstream f(manifest); !manifest.empty() && f) {
        std::string line;
        std::getline(f, line);  // header
        while (std::getline(f, line)) {
            auto fields = aekit::parseCsvLine(line);
            std::error_code ec;
            if (fields.size() == 5 && std::filesystem::exists(fields[0], ec))
                rows[fields[0]] = std::vector<std::string>(fields.begin() + 1, fields.end());
        }
    }
    std::mutex mutex;
    auto corrupt = [&](const aekit::BatchItem& item, bool write) {
        const aekit::Image clean = cli::readInput(item.input, batch.read);
        aekit::Image noisy = clean;
        const double sigma = aekit::applyNoise(noise, noisy, aekit::itemSeed(seed, item.relative));
        aekit::quantize(noisy);  // what the file will hold
        if (write) cli::writeOutput(item, noisy, batch);
        // The manifest describes the files: a lossy format (JPEG, WebP) is measured as written, read back.
        const bool readBack = !write || (aekit::isLossyImagePath(item.output) && item.output != "-");
        const double p = aekit::psnr(readBack ? cli::readInput(item.output, batch.read) : noisy, clean);
        std::lock_guard lock(mutex);
        rows[item.output] = {spec, std::to_string(seed), number(sigma), number(p)};
    };
    const int code = cli::runImageBatch(batch, "corrupt", [&](const aekit::BatchItem& item) { corrupt(item, true); });
    if (batch.dryRun || manifest.empty()) return code;
    const aekit::Cluster& cluster = aekit::Cluster::job();
    if (cluster.distributed()) {  // every rank's rows go to the leader, which writes the manifest
        nlohmann::json mine = nlohmann::json::object();
        for (const auto& [file, rest] : rows) mine[file] = rest;
        const std::vector<std::string> all = cluster.gather(mine.dump());
        if (!cluster.leader()) return code;
        for (const auto& text : all) {
            const auto theirs = nlohmann::json::parse(text);
            for (const auto& [file, rest] : theirs.items()) rows[file] = rest.get<std::vector<std::string>>();
        }
    }
    // Outputs of an interrupted earlier run that its manifest never listed: measured again.
    for (const auto& item : aekit::planBatch(batch.inputs, batch.out).items) {
        std::error_code ec;
        if (rows.count(item.output) || !std::filesystem::exists(item.output, ec)) continue;
        try {
            corrupt(item, false);
        } catch (const aekit::Error& e) {
            std::cerr << "manifest: " << item.output << " left out: " << e.what() << "\n";
        }
    }
    if (!rows.empty()) {
        std::string text = "file,noise,seed,sigma,psnr_db\n";
        double psnrSum = 0;
        size_t finite = 0;
        for (const auto& [file, rest] : rows) {  // text quoted, numbers plain
            text += aekit::csvField(file) + "," + aekit::csvField(rest[0]) + "," + rest[1] + "," + rest[2] + "," + rest[3] + "\n";
            const double p = std::strtod(rest[3].c_str(), nullptr);
            if (std::isfinite(p)) psnrSum += p, ++finite;
        }
        try {
            aekit::writeTextFile(manifest, text);
        } catch (const aekit::Error& e) {  // the images are written; the batch reports the manifest as failed
            std::cerr << "failed: " << e.what() << "\n";
            return cli::kSomeFailed;
        }
        if (cli::verbosity != cli::Verbosity::Quiet) {
            std::cerr << "manifest: " << manifest << " (" << rows.size() << " images)";
            if (finite > 0) std::cerr << "; mean PSNR of the corrupted images " << psnrSum / double(finite) << " dB";
            if (finite < rows.size()) std::cerr << " (" << rows.size() - finite << " identical to their input, left out of the mean)";
            std::cerr << "\n";
        }
    }
    return code;
}
