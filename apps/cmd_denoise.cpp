// SPDX-License-Identifier: Apache-2.0
// aekit denoise IN... -o OUT: the shipped (or given) denoiser over files and folders.
#include <iostream>
#include <memory>

#include "aekit/error.hpp"
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
        ("model,m", po::value(&modelName), "photo | photo-gray | color (alias gaussian) | gray | document, or a model file (default: photo for colour images, photo-gray for grey)")
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
    io.maxMemoryIsCeiling = !vm["max-memory"].defaulted();
    io.raiseSmallTile = true;
    io.check();
    if (!(sigma >= 0 && sigma <= 255)) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--sigma: 0 to 255");
    // Loaded once, before any image: a bad model is one error, not one per file. Without --model, grey
    // images get the photo model trained with grey examples too (on grey real noise it measured best),
    // loaded at the first grey image.
    aekit::ImageModel model(aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Denoise)), io);
    cli::noteRaisedTile(io, model);
    std::unique_ptr<aekit::ImageModel> greyDefault;
    aekit::ImageModel* last = &model;
    auto modelFor = [&](int channels) -> aekit::ImageModel& {
        aekit::ImageModel* next = &model;
        if (modelName.empty() && channels != 3) {
            if (!greyDefault)
                greyDefault = std::make_unique<aekit::ImageModel>(aekit::Model::load(cli::resolveModel("photo-gray", aekit::Task::Denoise)), io);
            next = greyDefault.get();
        }
        // Each model keeps its buffers between images up to the budget: one at a time.
        if (next != last) last->releaseMemory();
        last = next;
        return *next;
    };
    return cli::runImageBatch(
        batch, "denoise", [&](const aekit::BatchItem&, aekit::Image&& in) { return modelFor(in.channels).denoise(std::move(in), sigma); }, io);
}
