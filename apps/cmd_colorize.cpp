// SPDX-License-Identifier: Apache-2.0
// aekit colorize IN... -o OUT: colour from the lightness of gray photos and scans.
#include <cstdio>
#include <iostream>
#include <memory>

#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/inference.hpp"
#include "aekit/page_look.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runColorize(int argc, char** argv) {
    namespace po = cli::po;
    cli::BatchArgs batch;
    std::string modelName;
    aekit::InferenceOptions io;
    po::options_description opts("options");
    po::positional_options_description pos;
    cli::addBatchOptions(opts, pos, batch, "image files or folders (recursive)");
    // clang-format off
    opts.add_options()
        ("model,m", po::value(&modelName), "colorize (photos), document (scanned pages), or a model file (default: document for images that look like a page, else colorize)")
        ("tile", po::value(&io.tile)->default_value(0), "tile side in pixels (0: automatic)")
        ("max-memory", po::value(&io.maxMemoryMB)->default_value(io.maxMemoryMB), "memory budget per image, MB");
    // clang-format on
    cli::addColourOptions(opts, io);
    cli::addCommon(opts);
    cli::addPrecision(opts);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit colorize IN... -o OUT [--model NAME|PATH]", opts, pos, vm)) return cli::kOk;
    cli::applyThreads(vm);
    io.precision = cli::precision(vm);
    io.maxMemoryIsCeiling = !vm["max-memory"].defaulted();
    io.raiseSmallTile = true;
    cli::applyColourOptions(vm, io);
    io.check();
    // Loaded once, before any image: a bad model is one error, not one per file.
    const auto model = std::make_unique<aekit::ImageModel>(aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Colorize)), io);
    cli::noteRaisedTile(io, *model);
    // Without --model, an image that looks like a document page (aekit/page_look.hpp) gets the
    // document colorizer, loaded at the first such page; each model keeps its buffers up to the
    // budget, so one at a time.
    std::unique_ptr<aekit::ImageModel> documentModel;
    aekit::ImageModel* last = model.get();
    auto modelFor = [&](const aekit::BatchItem& item, const aekit::Image& in) -> aekit::ImageModel& {
        aekit::ImageModel* next = model.get();
        if (modelName.empty()) {
            const aekit::PageLook look = aekit::lookOfPage(in);
            if (look.document) {
                if (!documentModel)
                    documentModel = std::make_unique<aekit::ImageModel>(
                        aekit::Model::load(cli::resolveModel("document", aekit::Task::Colorize)), io);
                next = documentModel.get();
                char why[160];
                std::snprintf(why, sizeof why, "looks like a document page (%.0f%% paper, %.1f%% ink in thin strokes): the document colorizer (--model colorize for the photo one)",
                              100 * look.paper, 100 * look.dark);
                cli::note(item.input + ": " + why);
            }
        }
        if (next != last) last->releaseMemory();
        last = next;
        return *next;
    };
    return cli::runImageBatch(
        batch, "colorize",
        [&](const aekit::BatchItem& item, aekit::Image&& in) {
            std::vector<std::string> notes;
            aekit::Image result = modelFor(item, in).colorize(std::move(in), &notes);
            for (const auto& n : notes) cli::note(item.input + ": " + n);
            return result;
        },
        io);
}
