// SPDX-License-Identifier: Apache-2.0
// aekit denoise IN... -o OUT: the shipped (or given) denoiser over files and folders.
#include <iostream>
#include <map>
#include <memory>

#include "aekit/image.hpp"
#include "aekit/inference.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runDenoise(int argc, char** argv) {
    namespace po = cli::po;
    cli::BatchArgs batch;
    std::string modelName;
    double sigma = 0;
    aekit::InferenceOptions io;
    po::options_description opts("options");
    po::positional_options_description pos;
    cli::addBatchOptions(opts, pos, batch, "image files or folders (recursive)");
    // clang-format off
    opts.add_options()
        ("model,m", po::value(&modelName), "color | gray | document, or a model file (default: by the image's channels)")
        ("sigma", po::value(&sigma)->default_value(0), "remove at most noise of this level (0-255); 0: all the model finds")
        ("tile", po::value(&io.tile)->default_value(0), "tile side in pixels (0: automatic from --max-memory)")
        ("max-memory", po::value(&io.maxMemoryMB)->default_value(io.maxMemoryMB), "memory budget per image, MB")
        ("ensemble", po::value(&io.ensemble)->default_value(1), "1, or 8: average over the 8 flips and rotations (8x slower, a little better)");
    // clang-format on
    cli::addCommon(opts);
    cli::addPrecision(opts);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit denoise IN... -o OUT [--model NAME|PATH] [--sigma S]", opts, pos, vm))
        return cli::kOk;
    cli::applyThreads(vm);
    io.precision = cli::precision(vm);
    std::map<int, std::unique_ptr<aekit::ImageModel>> models;  // by channels, loaded on first use
    auto modelFor = [&](int channels) -> aekit::ImageModel& {
        auto& slot = models[modelName.empty() ? channels : 0];
        if (!slot) slot = std::make_unique<aekit::ImageModel>(
                       aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Denoise, channels)), io);
        return *slot;
    };
    return cli::runImageBatch(batch.inputs, batch.out, batch.overwrite, "denoise", [&](const aekit::BatchItem& item) {
        aekit::Image result;
        {  // the input's planes are freed before the writer needs its own
            const aekit::Image in = aekit::readImage(item.input, batch.read);
            result = modelFor(in.channels).denoise(in, sigma);
        }
        for (const auto& n : aekit::writeImage(item.output, result)) std::cerr << "note: " << n << "\n";
    });
}
