// aekit colorize IN... -o OUT: colour from the lightness of gray photos and scans.
#include <iostream>
#include <memory>

#include "aekit/image.hpp"
#include "aekit/inference.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runColorize(int argc, char** argv) {
    namespace po = cli::po;
    std::vector<std::string> inputs;
    std::string out, modelName;
    aekit::InferenceOptions io;
    aekit::ReadOptions ro;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("input", po::value(&inputs)->multitoken(), "image files or folders (recursive)")
        ("output,o", po::value(&out)->required(), "output folder (mirrors the inputs' relative paths), or a file for one input")
        ("model,m", po::value(&modelName), "colorize, or a model file")
        ("size", po::value(&io.colorizeSize)->default_value(io.colorizeSize), "working resolution (long side) of the colour; 0: full")
        ("tile", po::value(&io.tile)->default_value(0), "tile side in pixels (0: automatic)")
        ("max-memory", po::value(&io.maxMemoryMB)->default_value(io.maxMemoryMB), "memory budget per image, MB")
        ("max-pixels", po::value(&ro.maxPixels)->default_value(ro.maxPixels), "refuse images with more pixels")
        ("overwrite", "replace outputs that exist (inputs are never overwritten)");
    // clang-format on
    cli::addCommon(opts);
    po::positional_options_description pos;
    pos.add("input", -1);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit colorize IN... -o OUT [--model NAME|PATH]", opts, pos, vm)) return cli::kOk;
    cli::applyThreads(vm);
    std::unique_ptr<aekit::ImageModel> model;
    return cli::runImageBatch(inputs, out, vm.count("overwrite") > 0, "colorize", [&](const aekit::BatchItem& item) {
        const aekit::Image in = aekit::readImage(item.input, ro);
        if (!model)
            model = std::make_unique<aekit::ImageModel>(
                aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Colorize, 1)), io);
        std::vector<std::string> notes;
        const aekit::Image result = model->colorize(in, &notes);
        for (const auto& n : notes) std::cerr << "note: " << item.input << ": " << n << "\n";
        for (const auto& n : aekit::writeImage(item.output, result)) std::cerr << "note: " << n << "\n";
    });
}
