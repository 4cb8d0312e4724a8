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
    std::vector<std::string> inputs;
    std::string out, modelName;
    double sigma = 0;
    aekit::InferenceOptions io;
    aekit::ReadOptions ro;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("input", po::value(&inputs)->multitoken(), "image files or folders (recursive)")
        ("output,o", po::value(&out)->required(), "output folder (mirrors the inputs' relative paths), or a file for one input")
        ("model,m", po::value(&modelName), "color | gray | document, or a model file (default: by the image's channels)")
        ("sigma", po::value(&sigma)->default_value(0), "remove at most noise of this level (0-255); 0: all the model finds")
        ("tile", po::value(&io.tile)->default_value(0), "tile side in pixels (0: automatic from --max-memory)")
        ("max-memory", po::value(&io.maxMemoryMB)->default_value(io.maxMemoryMB), "memory budget per image, MB")
        ("max-pixels", po::value(&ro.maxPixels)->default_value(ro.maxPixels), "refuse images with more pixels")
        ("overwrite", "replace outputs that exist (inputs are never overwritten)");
    // clang-format on
    cli::addCommon(opts);
    po::positional_options_description pos;
    pos.add("input", -1);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit denoise IN... -o OUT [--model NAME|PATH] [--sigma S]", opts, pos, vm))
        return cli::kOk;
    cli::applyThreads(vm);
    std::map<int, std::unique_ptr<aekit::ImageModel>> models;  // by channels, loaded on first use
    auto modelFor = [&](int channels) -> aekit::ImageModel& {
        auto& slot = models[modelName.empty() ? channels : 0];
        if (!slot) slot = std::make_unique<aekit::ImageModel>(
                       aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Denoise, channels)), io);
        return *slot;
    };
    return cli::runImageBatch(inputs, out, vm.count("overwrite") > 0, "denoise", [&](const aekit::BatchItem& item) {
        const aekit::Image in = aekit::readImage(item.input, ro);
        const aekit::Image result = modelFor(in.channels).denoise(in, sigma);
        for (const auto& n : aekit::writeImage(item.output, result)) std::cerr << "note: " << n << "\n";
    });
}
