// SPDX-License-Identifier: Apache-2.0
// aekit noise: how noisy images are, measured on each image alone (no clean reference): level against
// brightness, correlation between neighbours and channels (aekit/noise_stats.hpp).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "aekit/batch.hpp"
#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/noise_stats.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

nlohmann::json toJson(const std::string& file, const aekit::NoiseStats& s) {
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& l : s.levels) levels.push_back({{"brightness", l.brightness}, {"blocks", l.blocks}, {"sigma", l.sigma}});
    nlohmann::json j{{"file", file},
                     {"sigma", s.sigma},
                     {"sigma_per_channel", s.sigmaPerChannel},
                     {"blocks", s.blocks},
                     {"levels", levels},
                     {"luma_correlation", s.lumaCorrelation}};
    if (s.sigmaPerChannel.size() == 3) {
        j["chroma_correlation"] = s.chromaCorrelation;
        j["channel_correlation_rg_rb_gb"] = s.channelCorrelation;
        j["chroma_share"] = s.chromaShare;
    }
    return j;
}

// Adds s into sum; both must be of images with the same channel count (the caller checks).
void accumulate(aekit::NoiseStats& sum, const aekit::NoiseStats& s) {
    sum.blocks += s.blocks;
    sum.sigma += s.sigma;
    sum.sigmaPerChannel.resize(s.sigmaPerChannel.size());
    for (size_t c = 0; c < s.sigmaPerChannel.size(); ++c) sum.sigmaPerChannel[c] += s.sigmaPerChannel[c];
    for (size_t k = 0; k < s.lumaCorrelation.size(); ++k) {
        sum.lumaCorrelation[k] += s.lumaCorrelation[k];
        sum.chromaCorrelation[k] += s.chromaCorrelation[k];
    }
    for (size_t k = 0; k < s.channelCorrelation.size(); ++k) sum.channelCorrelation[k] += s.channelCorrelation[k];
    sum.chromaShare += s.chromaShare;
}

void divide(aekit::NoiseStats& s, double n) {
    s.sigma /= n;
    for (double& v : s.sigmaPerChannel) v /= n;
    for (size_t k = 0; k < s.lumaCorrelation.size(); ++k) {
        s.lumaCorrelation[k] /= n;
        s.chromaCorrelation[k] /= n;
    }
    for (double& v : s.channelCorrelation) v /= n;
    s.chromaShare /= n;
}

}  // namespace

int runNoise(int argc, char** argv) {
    namespace po = cli::po;
    std::vector<std::string> inputs;
    std::string reference;
    aekit::NoiseStatsOptions o;
    aekit::ReadOptions read;
    bool json = false;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("inputs", po::value(&inputs)->multitoken(), "images or folders (recursive)")
        ("reference", po::value(&reference),
         "clean images (a file, or a folder matched by relative path): the noise is then image - reference")
        ("json", po::bool_switch(&json), "print one JSON object per image on standard output instead of text")
        ("block", po::value(&o.block)->default_value(o.block), "block side in pixels (at least 8)")
        ("flat-quantile", po::value(&o.flatQuantile)->default_value(o.flatQuantile),
         "per brightness bin, the share of blocks (the flattest) taken as noise")
        ("max-pixels", po::value(&read.maxPixels)->default_value(read.maxPixels)->notifier(cli::positiveSize("--max-pixels")), "refuse larger images");
    // clang-format on
    cli::addCommon(opts);
    po::positional_options_description pos;
    pos.add("inputs", -1);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit noise IN... [--reference CLEAN] [--json]", opts, pos, vm)) return cli::kOk;
    if (inputs.empty()) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "give at least one image or folder");
    if (o.block < 2 * aekit::NoiseStats::kMaxLag || o.block > 4096)
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--block: " + std::to_string(2 * aekit::NoiseStats::kMaxLag) + " to 4096");
    if (!(o.flatQuantile > 0 && o.flatQuantile <= 1))
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--flat-quantile: a share in (0, 1]");
    std::vector<std::string> files, references;  // references[i] pairs files[i] when --reference is given
    for (const auto& in : inputs) {
        std::error_code ec;
        const bool folder = std::filesystem::is_directory(in, ec);
        for (const auto& f : folder ? aekit::listImages({in}) : std::vector<std::string>{in}) {
            files.push_back(f);
            if (!reference.empty())
                references.push_back(folder ? (std::filesystem::path(reference) / aekit::relativePath(f, in)).string()
                                            : reference);
        }
    }
    std::vector<std::string> failures;
    aekit::NoiseStats mean;  // figures averaged over the images (levels left out: brightness bins differ)
    bool mixed = false;      // grey and colour images: only sigma averages meaningfully
    for (size_t i = 0; i < files.size(); ++i) {
        const std::string& f = files[i];
        try {
            const aekit::Image image = cli::readInput(f, read);
            aekit::Image clean;
            if (!reference.empty()) clean = cli::readInput(references[i], read);
            const aekit::NoiseStats s = aekit::measureNoise(image, o, reference.empty() ? nullptr : &clean);
            if (mean.sigmaPerChannel.empty() || mean.sigmaPerChannel.size() == s.sigmaPerChannel.size())
                accumulate(mean, s);
            else
                mixed = true, mean.sigma += s.sigma;
            if (json)
                std::cout << toJson(f, s).dump() << "\n";
            else
                std::cout << f << ": " << aekit::describe(s) << "\n";
        } catch (const aekit::Error& e) {
            failures.push_back(f + ": " + e.what());
            std::cerr << "aekit noise: " << failures.back() << "\n";
        }
    }
    const size_t done = files.size() - failures.size();
    if (!json && done > 1) {
        divide(mean, double(done));
        if (mixed)
            std::printf("mean sigma over %zu grey and colour images: %.2f (0-255)\n", done, mean.sigma);
        else
            std::cout << "mean over " << done << " images: " << aekit::describe(mean) << "\n";
    }
    if (!failures.empty()) {
        std::cerr << "aekit noise: " << failures.size() << " of " << files.size() << " files failed:\n";
        for (const auto& f : failures) std::cerr << "  " << f << "\n";
        return cli::kSomeFailed;
    }
    return cli::kOk;
}
