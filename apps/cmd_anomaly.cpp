// SPDX-License-Identifier: Apache-2.0
// aekit anomaly --model M IN... -o OUT: reconstruction-error maps as heatmap overlays, a CSV of
// scores, and (with --calibrate) a threshold from normal images' scores that flags anomalies.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "aekit/anomaly.hpp"
#include "aekit/batch.hpp"
#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/output_files.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runAnomaly(int argc, char** argv) {
    namespace po = cli::po;
    cli::BatchArgs batch;
    std::string modelName, scoreName, aggregateName, csv;
    std::vector<std::string> calibrate;
    double pct = 99;
    aekit::InferenceOptions io;
    po::options_description opts("options");
    po::positional_options_description pos;
    cli::addBatchOptions(opts, pos, batch, "image files or folders (recursive)");
    // clang-format off
    opts.add_options()
        ("model,m", po::value(&modelName)->required(), "a reconstruct (or denoise) model file")
        ("score", po::value(&scoreName)->default_value("mse"), "mse | ssim (1 - local SSIM, halved)")
        ("aggregate", po::value(&aggregateName)->default_value("peak"), "peak (smoothed maximum: small defects) | mean")
        ("calibrate", po::value(&calibrate)->multitoken(), "folders of normal images (e.g. the training data): their scores set the threshold")
        ("percentile", po::value(&pct)->default_value(pct), "threshold = this percentile of the calibration scores")
        ("csv", po::value(&csv), "scores CSV (default: OUT/scores.csv)");
    // clang-format on
    cli::addCommon(opts);
    cli::addPrecision(opts);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit anomaly --model M IN... -o OUT [--calibrate DIR...] [--percentile P]", opts,
                    pos, vm))
        return cli::kOk;
    cli::applyThreads(vm);
    io.precision = cli::precision(vm);
    const aekit::AnomalyScore kind = aekit::parseAnomalyScore(scoreName);
    const aekit::AnomalyAggregate aggregate = aekit::parseAnomalyAggregate(aggregateName);
    if (!(pct >= 0 && pct <= 100)) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--percentile must be 0..100");
    if (batch.out == "-" || std::find(batch.inputs.begin(), batch.inputs.end(), "-") != batch.inputs.end())
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "anomaly: - (standard input or output) is not supported: the scores go to a CSV beside the heatmaps");
    const bool oneFile = aekit::isImagePath(batch.out);
    const bool csvGiven = !csv.empty();  // the default goes into the output folder the batch creates
    if (csv.empty()) csv = oneFile ? batch.out + ".csv" : batch.out + "/scores.csv";
    aekit::refuseImageNameForText(csv, "--csv");
    aekit::refuseOutputOverInput(csv, batch.inputs, "--csv");
    if (csvGiven) aekit::refuseUnwritableOutput(csv, "--csv");
    aekit::ImageModel model(aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Reconstruct)), io);

    // Threshold: a percentile of the normal images' scores; the heatmaps' full scale is the
    // percentile of their per-pixel errors, so that normal texture stays dark.
    double threshold = -1, mapHigh = -1;
    if (!calibrate.empty()) {
        std::vector<double> scores, pixels;
        for (const auto& path : aekit::listImages(calibrate)) {
            try {
                const aekit::Anomaly a = anomalyOf(model, cli::readInput(path, batch.read), kind, aggregate);
                scores.push_back(a.score);
                for (int64_t i = 0; i < a.map.planeSize(); i += 7) pixels.push_back(a.map.plane(0)[i]);
            } catch (const aekit::Error& e) {
                std::cerr << "calibration: skipped " << e.what() << "\n";
            }
        }
        if (scores.empty()) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--calibrate: no readable images");
        threshold = aekit::percentile(scores, pct);
        mapHigh = aekit::percentile(pixels, 99.9);
        std::cerr << "threshold " << threshold << " (" << pct << "th percentile of " << scores.size()
                  << " calibration images' " << scoreName << " scores)\n";
    }
    std::map<std::string, double> rows;  // input file -> score
    auto score = [&](const aekit::BatchItem& item, bool write) {
        const aekit::Image in = cli::readInput(item.input, batch.read);
        const aekit::Anomaly a = anomalyOf(model, in, kind, aggregate);
        if (write) {
            double high = mapHigh;
            if (high <= 0) high = aekit::percentile(std::vector<double>(a.map.pixels.begin(), a.map.pixels.end()), 99.9);
            cli::writeOutput(item, aekit::heatmapOverlay(in, a.map, 0, high), batch);
        }
        rows[item.input] = a.score;
    };
    const int code = cli::runImageBatch(batch, "anomaly",
                                        [&](const aekit::BatchItem& item) { score(item, true); }, ".png");
    if (batch.dryRun) return code;
    // Heatmaps an interrupted earlier run wrote: scored again, so that the CSV lists every one.
    for (const auto& item : aekit::planBatch(batch.inputs, batch.out, ".png").items) {
        std::error_code ec;
        if (rows.count(item.input) || !std::filesystem::exists(item.output, ec)) continue;
        try {
            score(item, false);
        } catch (const aekit::Error& e) {
            std::cerr << "scores: " << item.input << " left out: " << e.what() << "\n";
        }
    }
    if (!rows.empty()) {
        std::ostringstream f;
        f << "file,score,threshold,anomalous\n";
        int flagged = 0;
        for (const auto& [file, value] : rows) {
            const bool anomalous = threshold >= 0 && value > threshold;
            flagged += anomalous;
            f << aekit::csvField(file) << ',' << value << ',' << (threshold >= 0 ? std::to_string(threshold) : "") << ','
              << (threshold >= 0 ? (anomalous ? "1" : "0") : "") << '\n';
        }
        try {
            aekit::writeTextFile(csv, f.str());
        } catch (const aekit::Error& e) {  // the heatmaps are written; the batch reports the scores as failed
            std::cerr << "failed: " << e.what() << "\n";
            return cli::kSomeFailed;
        }
        if (cli::verbosity != cli::Verbosity::Quiet) {
            std::cerr << "scores: " << csv;
            if (threshold >= 0) std::cerr << "; " << flagged << " of " << rows.size() << " images flagged as anomalous";
            std::cerr << "\n";
        }
    }
    return code;
}
