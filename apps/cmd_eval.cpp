// SPDX-License-Identifier: Apache-2.0
// aekit eval: the evaluation protocol on a folder, per-image and mean figures, optional NLM baseline.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "aekit/error.hpp"
#include "aekit/evaluate.hpp"
#include "aekit/noise.hpp"
#include "aekit/output_files.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

// A colorized page's figures (aekit/metrics.hpp, pageColour); "-" where the page has no such pixels.
void printPage(const aekit::PageColour& p) {
    auto figure = [](double v, const char* format) {
        char text[32] = "-";
        if (v >= 0) std::snprintf(text, sizeof text, format, v);
        return std::string(text);
    };
    std::printf("  paper tone error %s  ink chroma %s  coloured marks right %s", figure(p.paperToneError, "%.2f").c_str(),
                figure(p.inkChroma, "%.2f").c_str(), figure(100 * p.markShare, "%.0f%%").c_str());
}

// A colorized scan's figures (aekit/scan_colour.hpp).
void printScan(const aekit::ScanColour& s) {
    std::printf("  paper tone error %.2f  paper spread %.2fx", s.paperToneError, s.paperSpreadRatio);
    if (s.inkError >= 0) std::printf("  ink error %.2f (neutral %.2f)", s.inkError, s.neutralInkError);
    if (s.blueInk > 0) std::printf("  blue ink right %.0f%% of %lld px", 100.0 * double(s.blueInkRight) / double(s.blueInk), static_cast<long long>(s.blueInk));
}

nlohmann::json scanJson(const aekit::ScanColour& s) {
    return {{"paper_tone_error", s.paperToneError},
            {"paper_spread_ratio", s.paperSpreadRatio},
            {"ink_error", s.inkError},
            {"neutral_ink_error", s.neutralInkError},
            {"blue_ink_pixels", s.blueInk},
            {"blue_ink_right", s.blueInkRight}};
}

}  // namespace

int runEval(int argc, char** argv) {
    namespace po = cli::po;
    std::string modelName, protocol, json, baseline, tune;
    std::vector<std::string> images;
    aekit::EvalOptions o;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("model,m", po::value(&modelName), "model file or shipped name (color, gray, document, colorize)")
        ("tune-nlm", po::value(&tune), "gray|colour: tune NLM's h on --images (training images!) for the --noise sigma; no model")
        ("images", po::value(&images)->multitoken()->required(), "folders of clean images (degraded ones with --target)")
        ("target", po::value(&o.target)->multitoken(), "paired clean folders (RMSE and PSNR; no noise added)")
        ("mask", po::value(&o.mask)->multitoken(), "mask folders matched by relative path; denoise, with --target: non-zero is ink (MAE on the marks, RMSE on the paper); colorize: page label maps (make_samples --pages ... LABELDIR)")
        ("scans", po::bool_switch(&o.scans), "colorize, real colour scans turned grey: paper tone and spread, ink, blue ink (docs/evaluation.md)")
        ("floor-from", po::value(&o.floorFrom)->multitoken(), "with --scans: the no-network floor's paper colour, the median of these scans' (the training scans)")
        ("noise", po::value(&o.noise)->default_value(o.noise), "noise spec added to the clean images")
        ("seed", cli::seedValue(o.seed), "noise seed")
        ("protocol", po::value(&protocol)->default_value("float"), "float (noisy not clipped) | 8bit (noisy clipped and rounded)")
        ("baseline", po::value(&baseline), "nlm: OpenCV non-local means on the same noisy images")
        ("nlm-h", po::value(&o.nlmH)->default_value(0), "NLM h (0: tuned on training images for the sigma, or from the noise level estimated on each image)")
        ("gray", po::bool_switch(&o.gray), "denoise: evaluate on grey versions of the images (a colour model gets them as equal channels)")
        ("json", po::value(&json), "write the figures as JSON")
        ("save", po::value(&o.saveDir), "write noisy | aekit | [baseline] | clean strips as PNG here")
        ("tile", po::value(&o.inference.tile)->default_value(0), "tile side (0: automatic)")
        ("ensemble", po::value(&o.inference.ensemble)->default_value(1), "denoise: 1, or 8 (the flips-and-rotations self-ensemble)");
    // clang-format on
    cli::addColourOptions(opts, o.inference);
    cli::addCommon(opts);
    cli::addPrecision(opts);
    po::positional_options_description pos;
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit eval --model M --images DIR [--noise SPEC] [--seed N] [--protocol float|8bit]",
                    opts, pos, vm))
        return cli::kOk;
    cli::applyThreads(vm);
    o.inference.precision = cli::precision(vm);
    cli::applyColourOptions(vm, o.inference);
    o.inference.check();
    if (protocol != "float" && protocol != "8bit")
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--protocol: float or 8bit");
    if (!baseline.empty() && baseline != "nlm") throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--baseline: nlm");
    o.eightBit = protocol == "8bit";
    if (!(o.nlmH >= 0 && o.nlmH <= 255)) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--nlm-h: 0 (automatic) to 255");
    if (!tune.empty()) {
        if (tune != "gray" && tune != "colour") throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--tune-nlm: gray or colour");
        const aekit::NoiseSpec noise = aekit::NoiseSpec::parse(o.noise);
        const auto t = aekit::tuneNlm(images, noise, tune == "colour", 24, o.seed, {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.7, 2.0});
        const char* level = noise.maxSigma() > 0 ? "sigma" : "estimated sigma";
        for (const auto& [f, p] : t.factorPsnr) std::printf("h = %.1f %s: NLM %.3f dB\n", f, level, p);
        std::printf("best for %s, %s: h = %.1f %s\n", tune.c_str(), o.noise.c_str(), t.best, level);
        return cli::kOk;
    }
    if (modelName.empty()) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--model: name the model to evaluate");
    o.baselineNlm = baseline == "nlm";
    if (!json.empty()) {
        std::vector<std::string> inputs = images;
        inputs.insert(inputs.end(), o.target.begin(), o.target.end());
        inputs.insert(inputs.end(), o.mask.begin(), o.mask.end());
        aekit::refuseImageNameForText(json, "--json");
        aekit::refuseOutputOverInput(json, inputs, "--json");
        aekit::refuseUnwritableOutput(json, "--json");
    }
    std::string path = modelName;
    if (path.find('/') == std::string::npos && path.find(".safetensors") == std::string::npos)
        path = cli::resolveModel(path, path == "colorize" ? aekit::Task::Colorize : aekit::Task::Denoise);
    aekit::ImageModel model(aekit::Model::load(path), o.inference);
    const auto r = aekit::evaluate(model, images, o);
    const bool colorize = model.model().task == aekit::Task::Colorize, paired = !o.target.empty();
    for (const auto& im : r.images) {
        std::printf("%-40s input %6.2f  aekit %6.2f dB  SSIM %.4f", im.file.c_str(), im.inputPsnr, im.psnr, im.ssim);
        if (o.baselineNlm) std::printf("  NLM(h=%.1f) %6.2f dB  SSIM %.4f", im.nlmH, im.baselinePsnr, im.baselineSsim);
        if (colorize) std::printf("  colourfulness %.0f%%  edge chroma error %.2f", 100 * im.colourfulnessRatio, im.edgeChromaError);
        if (paired) std::printf("  RMSE %.4f", im.rmse);
        if (o.scans) {
            printScan(im.scan);
            if (!o.floorFrom.empty()) std::printf("  | floor %.2f dB", im.floorPsnr), printScan(im.floorScan);
        }
        if (!o.mask.empty()) {
            if (colorize)
                printPage(im.page);
            else
                std::printf("  ink MAE %.4f  paper RMSE %.4f", im.maskMae, im.unmaskedRmse);
        }
        std::printf("\n");
    }
    const auto& m = r.mean;
    std::printf("mean over %zu images (%s, %s protocol, seed %llu): input %.2f  aekit %.2f dB  SSIM %.4f", r.images.size(),
                colorize ? "colorize" : paired ? "paired" : o.noise.c_str(), protocol.c_str(),
                static_cast<unsigned long long>(o.seed), m.inputPsnr, m.psnr, m.ssim);
    if (o.baselineNlm) {
        std::printf("  NLM(h=%.1f) %.2f dB  SSIM %.4f", r.nlmH, m.baselinePsnr, m.baselineSsim);
        if (m.estimatedSigma > 0) std::printf(" (h = %.1f x the noise sigma estimated on each image, mean %.2f)", aekit::kEstimatedNlmFactor, m.estimatedSigma);
    }
    if (colorize)
        std::printf("  gray baseline %.2f dB  colourfulness %.0f%% of truth  edge chroma error %.2f", m.inputPsnr,
                    100 * m.colourfulnessRatio, m.edgeChromaError);
    if (paired) std::printf("  RMSE %.4f", m.rmse);
    if (o.scans) {
        printScan(m.scan);
        if (!o.floorFrom.empty())
            std::printf("  | floor (a*b* %.2f, %.2f) %.2f dB", r.floorColour.a, r.floorColour.b, m.floorPsnr), printScan(m.floorScan);
    }
    if (!o.mask.empty()) {
        if (colorize)
            printPage(m.page);
        else
            std::printf("  ink MAE %.4f  paper RMSE %.4f", m.maskMae, m.unmaskedRmse);
    }
    std::printf("  (%.1f s)\n", r.seconds);
    if (!json.empty()) {
        nlohmann::json j{{"model", path},   {"noise", o.noise},         {"seed", o.seed},        {"protocol", protocol},
                         {"images", r.images.size()}, {"psnr", m.psnr}, {"ssim", m.ssim},         {"input_psnr", m.inputPsnr}};
        if (o.baselineNlm)
            j["nlm"] = {{"h", r.nlmH}, {"psnr", m.baselinePsnr}, {"ssim", m.baselineSsim}, {"estimated_sigma", m.estimatedSigma}};
        if (colorize) {
            j["colourfulness_ratio"] = m.colourfulnessRatio;
            j["edge_chroma_error"] = m.edgeChromaError;
        }
        if (paired) j["rmse"] = m.rmse;
        if (o.scans) {
            j["scan"] = scanJson(m.scan);
            if (!o.floorFrom.empty())
                j["floor"] = {{"a", r.floorColour.a}, {"b", r.floorColour.b}, {"psnr", m.floorPsnr}, {"scan", scanJson(m.floorScan)}};
        }
        if (!o.mask.empty() && colorize) {
            j["paper_tone_error"] = m.page.paperToneError;
            j["ink_chroma"] = m.page.inkChroma;
            j["coloured_marks_right"] = m.page.markShare;
        } else if (!o.mask.empty()) {
            j["ink_mae"] = m.maskMae;
            j["paper_rmse"] = m.unmaskedRmse;
        }
        nlohmann::json per = nlohmann::json::array();
        for (const auto& im : r.images) per.push_back({{"file", im.file}, {"psnr", im.psnr}, {"ssim", im.ssim}, {"input_psnr", im.inputPsnr}});
        j["per_image"] = per;
        aekit::writeTextFile(json, j.dump(2) + "\n");
    }
    return cli::kOk;
}
