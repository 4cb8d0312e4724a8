// SPDX-License-Identifier: Apache-2.0
// aekit corrupt IN... -o OUT --noise SPEC: seeded noisy copies and a manifest with their PSNR.
#include <fstream>
#include <iostream>
#include <mutex>

#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/metrics.hpp"
#include "aekit/noise.hpp"
#include "cli.hpp"
#include "commands.hpp"

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
        ("seed", po::value(&seed)->default_value(seed), "seed: the same seed and input give the same bytes")
        ("manifest", po::value(&manifest), "CSV manifest (default: OUT/manifest.csv, or OUT.csv for one file)");
    // clang-format on
    cli::addCommon(opts);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit corrupt IN... -o OUT --noise SPEC [--seed N]", opts, pos, vm)) return cli::kOk;
    cli::applyThreads(vm);
    const aekit::NoiseSpec noise = aekit::NoiseSpec::parse(spec);  // refused before any file is touched
    const bool oneFile = aekit::isImagePath(batch.out);
    if (manifest.empty()) manifest = oneFile ? batch.out + ".csv" : batch.out + "/manifest.csv";
    struct Row {
        std::string file;
        double sigma, psnr;
    };
    std::vector<Row> rows;
    double psnrSum = 0;
    const int code = cli::runImageBatch(batch.inputs, batch.out, batch.overwrite, "corrupt", [&](const aekit::BatchItem& item) {
        const aekit::Image clean = aekit::readImage(item.input, batch.read);
        aekit::Image noisy = clean;
        const double sigma = aekit::applyNoise(noise, noisy, aekit::itemSeed(seed, item.relative));
        aekit::quantize(noisy);  // what the file will hold
        const double p = aekit::psnr(noisy, clean);
        for (const auto& n : aekit::writeImage(item.output, noisy)) std::cerr << "note: " << n << "\n";
        rows.push_back({item.output, sigma, p});
        psnrSum += p;
    });
    if (!rows.empty()) {
        std::ofstream f(manifest);
        if (!f) throw aekit::Error(aekit::ErrorKind::Io, manifest + ": cannot write the manifest");
        f << "file,noise,seed,sigma,psnr_db\n";
        for (const auto& r : rows) f << '"' << r.file << "\"," << spec << ',' << seed << ',' << r.sigma << ',' << r.psnr << '\n';
        std::cerr << "manifest: " << manifest << "; mean PSNR of the corrupted images " << psnrSum / double(rows.size())
                  << " dB over " << rows.size() << " images\n";
    }
    return code;
}
