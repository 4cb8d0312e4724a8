// SPDX-License-Identifier: Apache-2.0
// aekit train: options to TrainOptions, progress to the terminal, Ctrl-C to a checkpoint.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <type_traits>

#include "aekit/cluster.hpp"
#include "aekit/error.hpp"
#include "aekit/model.hpp"
#include "aekit/output_files.hpp"
#include "aekit/trainer.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

// "1h05m" or "4m30s".
std::string duration(double s) {
    char buf[32];
    const long t = std::lround(std::max(0.0, s));
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    return buf;
}

std::vector<int> parseList(const std::string& s, const char* option) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            out.push_back(std::stoi(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw aekit::Error(aekit::ErrorKind::InvalidArgument,
                               std::string("--") + option + ": '" + s + "' is not a comma-separated list of integers");
        }
    }
    return out;
}

}  // namespace

namespace {

bool given(const cli::po::variables_map& vm, const char* name) { return vm.count(name) && !vm[name].defaulted(); }

// The architecture options not given on the command line, taken from a saved network's.
void adoptArchitecture(aekit::TrainOptions& o, const cli::po::variables_map& vm, const aekit::Architecture& saved) {
    auto& a = o.arch;
    const bool shape = given(vm, "channels") || given(vm, "levels");
    if (!shape) a.encoder = saved.encoder;
    if (!shape && !given(vm, "decoder")) a.decoder = saved.decoder;
    if (!given(vm, "code")) a.code = saved.code;
    if (!given(vm, "convs")) a.convsPerLevel = saved.convsPerLevel;
    if (!given(vm, "skips") && !given(vm, "no-skips")) o.skips = saved.skips;
    if (!given(vm, "input-skip")) a.inputSkip = saved.inputSkip;
    if (!given(vm, "residual") && !given(vm, "no-residual")) o.residual = saved.residual;
    if (!given(vm, "upsample")) a.upsample = saved.upsample;
    if (!given(vm, "activation")) a.activation = a.codeActivation = saved.activation;
    if (!o.gray && saved.inChannels == 1 && o.task != aekit::Task::Colorize) o.gray = true;
}

// --init: the model's architecture, unless options say otherwise (a larger --convs deepens it).
void adoptInitArchitecture(aekit::TrainOptions& o, const cli::po::variables_map& vm) {
    const aekit::SafetensorsContent c = aekit::readSafetensors(o.init);
    const auto arch = c.metadata.find("aekit.arch"), task = c.metadata.find("aekit.task");
    // A model of another task, or without its architecture: the trainer refuses it, saying which.
    if (arch == c.metadata.end() || task == c.metadata.end() || task->second != aekit::toString(o.task)) return;
    adoptArchitecture(o, vm, aekit::Architecture::fromJson(arch->second));
}

// --resume: the checkpoint holds the run's architecture and training options; those not given again
// are taken from it, and one given again must agree (refused, naming it). Steps are the total, so a
// larger --steps extends the run.
void adoptCheckpoint(aekit::TrainOptions& o, const cli::po::variables_map& vm) {
    const std::string path = o.out + ".ckpt";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return;  // the trainer says so
    const aekit::SafetensorsContent c = aekit::readSafetensors(path);
    const auto arch = c.metadata.find("aekit.arch"), ck = c.metadata.find("aekit.checkpoint");
    if (arch == c.metadata.end() || ck == c.metadata.end()) return;  // the trainer says what is missing
    aekit::checkCheckpointRecord(ck->second, path);  // values of the wrong type or range name the file, not an option
    adoptArchitecture(o, vm, aekit::Architecture::fromJson(arch->second));
    const auto j = nlohmann::json::parse(ck->second);
    auto take = [&](const char* option, const char* key, auto& value) {
        if (!j.contains(key)) return;  // a checkpoint from before the key was written
        using T = std::decay_t<decltype(value)>;
        const T stored = j.at(key).get<T>();
        if (!given(vm, option)) value = stored;
        else if (value != stored)
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, path + ": the checkpoint has --" + option + " " + j.at(key).dump() +
                                                                      ", the options " + nlohmann::json(value).dump() +
                                                                      " (leave it out to resume exactly, or choose a new --out)");
    };
    take("seed", "seed", o.seed);
    take("batch", "batch", o.batch);
    take("patch", "patch", o.patch);
    take("zoom", "zoom", o.zoom);
    take("resize-short", "resize_short", o.resizeShort);
    take("resize-long", "resize_long", o.resizeLong);
    take("gray-share", "gray_share", o.grayShare);
    take("noise", "noise", o.noise);
    take("lr", "lr", o.lr);
    take("min-lr", "min_lr", o.minLr);
    take("warmup", "warmup", o.warmup);
    take("schedule", "schedule", o.schedule);
    take("optimizer", "optimizer", o.optimizer);
    take("weight-decay", "weight_decay", o.weightDecay);
    take("clip", "clip", o.clip);
    if (!given(vm, "steps") && j.contains("steps")) o.steps = j.at("steps").get<int64_t>();
    if (j.contains("loss")) {
        const aekit::LossKind storedLoss = aekit::parseLoss(j.at("loss").get<std::string>());
        if (!given(vm, "loss")) o.loss = storedLoss;
        else if (o.loss != storedLoss)
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, path + ": the checkpoint has --loss " + j.at("loss").get<std::string>() +
                                                                      " (leave it out to resume exactly, or choose a new --out)");
    }
}

}  // namespace

int runTrain(int argc, char** argv) {
    namespace po = cli::po;
    aekit::TrainOptions o;
    std::string task, loss, sparsity, upsample, activation, channels, decoder, colorizeMode, colourLabels;
    int levels = 0;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("task", po::value(&task)->required(), "denoise | colorize | reconstruct")
        ("data", po::value(&o.data)->multitoken()->required(), "training image folders (degraded images with --target)")
        ("target", po::value(&o.target)->multitoken(), "clean image folders paired with --data by relative path")
        ("val", po::value(&o.val)->multitoken(), "validation folders (default: a seeded split of --data)")
        ("out", po::value(&o.out)->required(), "model file to write (.safetensors); MODEL.ckpt, .csv, .plot.png, .preview.png beside it")
        ("steps", po::value(&o.steps)->default_value(o.steps), "total training steps (a resumed run stops here too)")
        ("batch", po::value(&o.batch)->default_value(o.batch), "patches per step")
        ("patch", po::value(&o.patch)->default_value(o.patch), "patch side in pixels (a multiple of 2^levels)")
        ("zoom", po::value(&o.zoom)->default_value(o.zoom), "enlarge half the patches by up to this factor (content as smooth as full-resolution photos')")
        ("resize-short", po::value(&o.resizeShort)->default_value(o.resizeShort), "resize every image to this short side first; patches are then squares of --patch to this side shrunk to --patch (whole scenes; 0: off)")
        ("resize-long", po::value(&o.resizeLong)->default_value(o.resizeLong), "shrink every image larger than this on its long side to it first (a colorizer's working size; 0: off)")
        ("gray-share", po::value(&o.grayShare)->default_value(o.grayShare), "colour denoisers: share of examples turned grey after the noise (grey photos as a colour model sees them)")
        ("lr", po::value(&o.lr)->default_value(o.lr), "peak learning rate")
        ("min-lr", po::value(&o.minLr)->default_value(o.minLr), "final learning rate of the cosine schedule")
        ("warmup", po::value(&o.warmup)->default_value(-1), "warm-up steps (-1: 2% of steps, at most 1000)")
        ("schedule", po::value(&o.schedule)->default_value(o.schedule), "cosine | step | constant")
        ("optimizer", po::value(&o.optimizer)->default_value(o.optimizer), "adam | adamw | sgd")
        ("weight-decay", po::value(&o.weightDecay)->default_value(o.weightDecay), "weight decay")
        ("clip", po::value(&o.clip)->default_value(o.clip), "gradient-norm clipping (0: off)")
        ("seed", cli::seedValue(o.seed), "seed of every random choice")
        ("loader-threads", po::value(&o.loaderThreads)->default_value(o.loaderThreads), "background threads preparing batches")
        ("noise", po::value(&o.noise), "corruption spec (denoise default gaussian:0-55; see aekit corrupt --help)")
        ("gray", po::bool_switch(&o.gray), "train a one-channel (gray) model")
        ("levels", po::value(&levels)->default_value(0), "encoder levels (0: from --channels)")
        ("channels", po::value(&channels)->default_value("32,48,64,80"), "encoder channels per level, e.g. 32,64")
        ("decoder", po::value(&decoder), "decoder channels per level, level 0 first (default: the encoder's)")
        ("code", po::value(&o.arch.code)->default_value(96), "bottleneck (code) channels")
        ("convs", po::value(&o.arch.convsPerLevel)->default_value(2), "3x3 convolutions per level")
        ("skips", "U-Net skip connections (default for denoise and colorize)")
        ("no-skips", "no skips: a plain undercomplete autoencoder (default for reconstruct)")
        ("input-skip", "also concatenate the input before the last convolutions")
        ("residual", "predict the noise: output = input - network (default for denoise)")
        ("no-residual", "predict the clean image directly")
        ("upsample", po::value(&upsample)->default_value("nearest"), "nearest | bilinear | deconv")
        ("activation", po::value(&activation)->default_value("relu"), "relu | leakyrelu | tanh | sigmoid")
        ("loss", po::value(&loss)->default_value("mse"), "mse | l1 | bce")
        ("sparsity", po::value(&sparsity), "code penalty: l1:WEIGHT or kl:RHO:WEIGHT (sparse autoencoder)")
        ("colorize-mode", po::value(&colorizeMode)->default_value("classify"), "classify (ab bins, rebalanced) | regress")
        ("colour-labels", po::value(&colourLabels)->default_value("nearest"), "classify: each pixel's label is its nearest ab bin, or the 4 around its colour with bilinear shares (bilinear: colours finer than the bins, such as paper tones)")
        ("rebalance", po::value(&o.rebalance)->default_value(o.rebalance), "classify: lean to rare colours, 0-1 (0.5: vivid; 1: none)")
        ("val-every", po::value(&o.valEvery), "steps between validations (default: a fifth of --steps, at most 500: at least 5 validations)")
        ("val-images", po::value(&o.valImages)->default_value(o.valImages), "validation images used")
        ("checkpoint-minutes", po::value(&o.checkpointMinutes)->default_value(o.checkpointMinutes), "minutes between checkpoints")
        ("cache-mb", po::value(&o.cacheMegabytes)->default_value(o.cacheMegabytes), "decoded images kept in memory (MB)")
        ("max-pixels", po::value(&o.maxPixels)->default_value(o.maxPixels)->notifier(cli::positiveSize("--max-pixels")), "refuse images with more pixels")
        ("resume", po::bool_switch(&o.resume), "continue from MODEL.ckpt")
        ("init", po::value(&o.init), "start from this model's weights (fine-tuning: a shipped model's name or a file), with a fresh "
                                     "optimiser and schedule; its architecture unless options change it (a larger --convs: the new "
                                     "convolutions start as identities)");
    po::options_description hooks("test hooks");
    hooks.add_options()("stop-after", po::value(&o.stopAfter)->default_value(0), "stop at this step as if interrupted (testing resume)");
    hooks.add_options()("rank-exit-at", po::value(&o.rankExitAt)->default_value(0), "with mpirun: the last rank dies after this step (testing)");
    // clang-format on
    cli::addCommon(opts);
    cli::addPrecision(opts);
    po::positional_options_description pos;
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit train --task denoise|colorize|reconstruct --data DIR... --out MODEL [options]",
                    opts, pos, vm, &hooks))
        return cli::kOk;
    o.threads = cli::checkedThreads(vm);
    o.precision = cli::precision(vm);
    o.task = aekit::parseTask(task);
    o.loss = aekit::parseLoss(loss);
    o.sparsity = aekit::Sparsity::parse(sparsity);
    if (colorizeMode != "classify" && colorizeMode != "regress")
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--colorize-mode: classify or regress");
    o.colorize = colorizeMode == "classify" ? aekit::ColorizeMode::Classify : aekit::ColorizeMode::Regress;
    if (colourLabels != "nearest" && colourLabels != "bilinear")
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--colour-labels: nearest or bilinear, not '" + colourLabels + "'");
    o.softLabels = colourLabels == "bilinear";
    auto& a = o.arch;
    if (levels < 0 || levels > 8) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--levels: 0 (from --channels) to 8");
    a.encoder = parseList(channels, "channels");
    if (levels > 0) {
        if (int(a.encoder.size()) < levels) a.encoder.resize(size_t(levels), a.encoder.empty() ? 32 : a.encoder.back());
        a.encoder.resize(size_t(levels));
    }
    a.decoder = vm.count("decoder") ? parseList(decoder, "decoder") : a.encoder;
    if (vm.count("skips") && vm.count("no-skips")) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--skips or --no-skips, not both");
    if (vm.count("residual") && vm.count("no-residual"))
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--residual or --no-residual, not both");
    if (vm.count("skips") || vm.count("no-skips")) o.skips = vm.count("skips") > 0;
    if (vm.count("residual") || vm.count("no-residual")) o.residual = vm.count("residual") > 0;
    a.inputSkip = vm.count("input-skip") > 0;
    a.upsample = aekit::parseUpsample(upsample);
    a.activation = aekit::parseActivation(activation);

    if (!o.init.empty()) {
        o.init = cli::resolveModel(o.init, o.task);  // a shipped model's name, or a file
        if (!o.resume) adoptInitArchitecture(o, vm);
    }
    if (o.resume) adoptCheckpoint(o, vm);
    if (!vm.count("val-every")) o.valEvery = std::clamp<int64_t>(o.steps / 5, 1, 500);  // the steps are known now

    std::vector<std::string> inputs = o.data;
    inputs.insert(inputs.end(), o.target.begin(), o.target.end());
    inputs.insert(inputs.end(), o.val.begin(), o.val.end());
    for (const char* side : {"", ".ckpt", ".csv", ".plot.png", ".preview.png"}) {
        aekit::refuseOutputOverInput(o.out + side, inputs, "--out");
        aekit::refuseUnwritableOutput(o.out + side, "--out", true);  // training makes a missing folder
    }

    o.stop = cli::installStopHandler();
    const bool tty = cli::Progress::onTerminal();
    // Not on a terminal (a log file, a batch job): validations, and a progress line every 30 s.
    auto lastLine = std::chrono::steady_clock::now();
    const auto started = lastLine;
    bool estimated = false;
    o.onProgress = [tty, &lastLine, started, &estimated, task = o.task](const aekit::TrainProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        // Once, after the first 30 s (the rate has settled): how long the whole run will take; not
        // when the run is nearly over by then (a short run's estimate would come with its end).
        if (!estimated && !p.validated && !p.final && now - started >= std::chrono::seconds(30) && p.patchesPerSecond > 0 &&
            (p.steps - p.step) * 10 > p.steps) {
            std::fprintf(stderr, "%sexpected duration: about %s more for the remaining %lld steps, at %.1f patches/s\n", tty ? "\n" : "",
                         duration(p.etaSeconds).c_str(), static_cast<long long>(p.steps - p.step), p.patchesPerSecond);
            estimated = true;
        }
        std::string line = "step " + std::to_string(p.step);
        if (p.validated) {
            line += "  " + aekit::describeValidation(task, p);
        } else {
            char buf[200];
            std::snprintf(buf, sizeof buf, "/%lld  loss %.5f  lr %.2e  %.1f patches/s  ETA %s  data wait %.1f%%",
                          static_cast<long long>(p.steps), p.loss, p.lr, p.patchesPerSecond, duration(p.etaSeconds).c_str(),
                          100 * p.dataWaitShare);
            line += buf;
        }
        if (tty) {
            std::fprintf(stderr, "\r%-110s%s", line.c_str(), p.final ? "\n" : "");
        } else if (p.final || p.validated || now - lastLine >= std::chrono::seconds(30)) {
            std::fprintf(stderr, "%s\n", line.c_str());
            lastLine = now;
        }
        if (tty && p.validated && !p.final) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    };
    o.onNote = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
    const aekit::TrainResult r = aekit::train(o);
    if (!aekit::Cluster::job().leader()) return r.interrupted ? cli::kInterrupted : cli::kOk;
    if (r.interrupted) {
        std::fprintf(stderr, "\ninterrupted at step %lld: checkpoint %s.ckpt saved; continue with the same command and --resume\n",
                     static_cast<long long>(r.step), o.out.c_str());
        return cli::kInterrupted;
    }
    std::fprintf(stderr, "done: %lld steps, %.1f patches/s, data wait %.1f%% of the time (loader: %.3f s of CPU per batch); model %s\n",
                 static_cast<long long>(r.step), r.patchesPerSecond, 100 * r.dataWaitShare, r.loaderSecondsPerBatch, o.out.c_str());
    if (r.ranks > 1)
        std::fprintf(stderr, "ranks: %d x %d threads, batch %d per rank; allreduce %.1f ms per step (%.1f%% of the run), %.2f MB in %d buffer%s\n",
                     r.ranks, aekit::threads(), o.batch / r.ranks, 1e3 * r.allreduceSeconds / double(std::max<int64_t>(1, r.allreduceCalls)),
                     100 * r.allreduceSeconds / std::max(1e-9, r.seconds), double(r.allreduceBytes) / 1e6, r.allreduceBuckets,
                     r.allreduceBuckets == 1 ? "" : "s");
    return cli::kOk;
}
