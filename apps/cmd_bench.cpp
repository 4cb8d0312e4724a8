// SPDX-License-Identifier: Apache-2.0
// aekit bench: bench-unet speed figures (docs/design.md), printed and optionally as JSON.
#include <cstdio>
#include <iostream>
#include <optional>

#include "aekit/bench.hpp"
#include "aekit/error.hpp"
#include "aekit/output_files.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runBench(int argc, char** argv) {
    namespace po = cli::po;
    std::string json, modelName;
    aekit::BenchOptions o;
    po::options_description opts("options");
    opts.add_options()("json", po::value(&json), "write the figures as JSON")("quick", po::bool_switch(&o.quick),
                                                                                 "fewer repeats, smaller sgemm (CI)")(
        "repeats", po::value(&o.repeats)->default_value(0), "timed repeats per figure (0: 10, quick 3)")(
        "model", po::value(&modelName), "also time this model's network on a 1024x1024 input (name or file)");
    cli::addCommon(opts);
    po::positional_options_description pos;
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit bench [--json FILE] [--quick] [--model NAME]", opts, pos, vm)) return cli::kOk;
    if (!json.empty()) aekit::refuseImageNameForText(json, "--json");
    if (!json.empty()) aekit::refuseUnwritableOutput(json, "--json");
    cli::applyThreads(vm);
    o.onNote = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
    std::optional<aekit::Model> model;
    if (!modelName.empty()) {
        model = aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Denoise));  // names a colorizer too
        o.model = &*model;
        o.modelName = modelName;
    }
    const aekit::BenchResult r = aekit::runBench(o);
    std::printf("bench-unet (%.0f multiply-adds/px), %d threads\n", r.macsPerPixel, r.threads);
    auto show = [&](const char* precision, const aekit::BenchResult::Figures& t, const aekit::BenchResult::Figures& i) {
        std::printf("  training  %-4s %.2f steps/s = %.1f patches/s (batch 16, 128x128)  %.0f GFLOP/s = %.0f%% of peak\n",
                    precision, t.stepsPerSecond, t.patchesPerSecond, t.gflops, 100 * t.gflops / r.peakGflops);
        std::printf("  inference %-4s %.2f MP/s (1024x1024)  %.0f GFLOP/s = %.0f%% of peak\n", precision, i.mpixPerSecond,
                    i.gflops, 100 * i.gflops / r.peakGflops);
    };
    show("f32", r.train, r.infer);
    show("f32d", r.trainDirect, r.inferDirect);
    if (r.bf16)
        show("bf16", r.trainBf16, r.inferBf16);
    else
        std::printf("  bf16      not offered: this CPU has no AVX512-BF16\n");
    if (o.model)
        std::printf("  model     %s: %.2f MP/s (1024x1024, f32, %.0f multiply-adds/px)\n", r.modelName.c_str(),
                    r.modelMpixPerSecond, r.modelMacsPerPixel);
    std::printf("  peak      %.0f GFLOP/s (oneDNN f32 sgemm %s)\n", r.peakGflops, o.quick ? "2048^3" : "4096^3");
    std::printf("  f32: default convolutions (Winograd where faster); f32d: direct only. GFLOP/s count the\n"
                "  direct algorithm's multiply-adds, so Winograd's can pass the peak.\n");
    std::printf("  peak RSS  %.0f MB\n", r.peakRssMb);
    if (!json.empty()) {
        aekit::writeTextFile(json, r.toJson() + "\n");
    }
    return cli::kOk;
}
