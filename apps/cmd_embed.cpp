// SPDX-License-Identifier: Apache-2.0
// aekit embed --model M IN... -o codes.csv: each image's bottleneck code (averaged over positions,
// one value per code channel), a 2-D scatter plot, and the reconstruction error beside PCA's at an
// equal code size.
#include <cstdio>
#include <sstream>
#include <iostream>

#include "aekit/batch.hpp"
#include "aekit/embedding.hpp"
#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/output_files.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runEmbed(int argc, char** argv) {
    namespace po = cli::po;
    std::vector<std::string> inputs, pcaFit;
    std::string out, modelName, plot;
    int size = 64;
    aekit::ReadOptions read;
    po::options_description opts("options");
    po::positional_options_description pos;
    pos.add("inputs", -1);
    // clang-format off
    opts.add_options()
        ("inputs", po::value(&inputs)->multitoken()->required(), "image files or folders (recursive)")
        ("out,o", po::value(&out)->required(), "codes CSV: file, then one column per code channel")
        ("model,m", po::value(&modelName)->required(), "a reconstruct (or denoise) model file")
        ("size", po::value(&size)->default_value(size), "images are resized to SIZE x SIZE first")
        ("plot", po::value(&plot), "scatter plot of the codes' first two principal components (PNG)")
        ("compare-pca", po::value(&pcaFit)->multitoken(), "folders to fit PCA on; compares reconstruction error on the inputs at an equal code size");
    // clang-format on
    cli::addCommon(opts);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit embed --model M IN... -o codes.csv [--plot FILE.png] [--compare-pca DIR...]",
                    opts, pos, vm))
        return cli::kOk;
    cli::applyThreads(vm);
    std::vector<std::string> allInputs = inputs;
    allInputs.insert(allInputs.end(), pcaFit.begin(), pcaFit.end());
    aekit::refuseImageNameForText(out, "-o");
    aekit::refuseOutputOverInput(out, allInputs, "-o");
    aekit::refuseUnwritableOutput(out, "-o");
    if (!plot.empty()) {
        aekit::refuseOutputOverInput(plot, allInputs, "--plot");
        aekit::refuseUnwritableOutput(plot, "--plot");
        if (!aekit::isImagePath(plot))
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, plot + ": --plot writes an image; name it .png");
    }
    aekit::Embedder embedder(aekit::Model::load(cli::resolveModel(modelName, aekit::Task::Reconstruct)), size);

    auto prepared = [&](const std::vector<std::string>& paths, std::vector<std::string>& names, int& failed) {
        std::vector<aekit::Image> ims;
        for (const auto& p : paths) {
            try {
                ims.push_back(embedder.prepare(cli::readInput(p, read)));
                names.push_back(p);
            } catch (const aekit::Error& e) {
                std::cerr << "error: " << e.what() << "\n";
                ++failed;
            }
        }
        return ims;
    };
    std::vector<std::string> files;
    for (const auto& in : inputs) {
        if (aekit::isImagePath(in)) files.push_back(in);
        else for (const auto& f : aekit::listImages({in})) files.push_back(f);
    }
    std::vector<std::string> names;
    int failed = 0;
    const std::vector<aekit::Image> images = prepared(files, names, failed);
    std::vector<std::vector<float>> codes;
    for (const auto& im : images) codes.push_back(embedder.code(im));

    std::ostringstream f;
    f << "file";
    for (int c = 0; c < embedder.codeChannels(); ++c) f << ",c" << c;
    f << '\n';
    for (size_t i = 0; i < codes.size(); ++i) {
        f << aekit::csvField(names[i]);
        for (float v : codes[i]) f << ',' << v;
        f << '\n';
    }
    aekit::writeTextFile(out, f.str());
    std::cerr << "codes: " << out << " (" << codes.size() << " images x " << embedder.codeChannels() << " values, at "
              << embedder.size() << "x" << embedder.size() << ")\n";
    if (!plot.empty()) {
        aekit::writeImage(plot, aekit::codeScatterPlot(codes));
        std::cerr << "plot: " << plot << "\n";
    }
    if (!pcaFit.empty()) {
        std::vector<std::string> fitNames;
        const auto fit = prepared(aekit::listImages(pcaFit), fitNames, failed);
        const aekit::PcaComparison r = aekit::compareWithPca(embedder, fit, images);
        std::printf("reconstruction MSE on %zu images at %dx%d: autoencoder %.6f (code %d values), PCA %.6f (%d components, "
                    "fitted on %zu images)\n",
                    images.size(), embedder.size(), embedder.size(), r.autoencoderMse, embedder.codeSize(), r.pcaMse,
                    r.components, fit.size());
    }
    if (failed > 0) {
        std::cerr << failed << " file(s) failed\n";
        return cli::kSomeFailed;
    }
    return cli::kOk;
}
