// SPDX-License-Identifier: Apache-2.0
// Evaluation protocol (see aekit/evaluate.hpp).
#include "aekit/evaluate.hpp"

#include <opencv2/photo.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include "aekit/batch.hpp"
#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/output_files.hpp"
#include "aekit/metrics.hpp"
#include "aekit/noise.hpp"
#include "aekit/noise_stats.hpp"

namespace aekit {

namespace fs = std::filesystem;

namespace {

void clipRound8(Image& im) {
    for (float& v : im.pixels) v = std::round(std::clamp(v, 0.f, 1.f) * 255.f) / 255.f;
}

Image clipped(Image im) {
    clipRound8(im);
    return im;
}

// A strip of images side by side, written as PNG.
void saveStrip(const std::string& path, const std::vector<Image>& parts) {
    const int H = parts[0].height;
    int W = 0;
    for (const auto& p : parts) W += p.width;
    Image strip = Image::blank(W, H, 3, 8);
    int x0 = 0;
    for (const auto& p : parts) {
        const Image rgb = p.channels == 1 ? grayToRgb(p) : p;
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < H; ++y)
                std::copy(rgb.plane(c) + int64_t(y) * p.width, rgb.plane(c) + int64_t(y + 1) * p.width,
                          strip.plane(c) + int64_t(y) * W + x0);
        x0 += p.width;
    }
    writeImage(path, clipped(strip));
}

}  // namespace

Image nlmBaseline(const Image& noisy8bit, double sigma, bool colour, double fixedH, EvalImage& r) {
    // A known Gaussian sigma gets the h tuned for it; any other noise gets h from the level measured on
    // the noisy image itself (never from the clean one).
    if (fixedH > 0) {
        r.nlmH = fixedH;
    } else if (sigma > 0) {
        r.nlmH = nlmFactor(sigma, colour) * sigma;
    } else {
        r.estimatedSigma = estimatedNoiseSigma(noisy8bit);
        r.nlmH = std::max(1.0, kEstimatedNlmFactor * r.estimatedSigma);
    }
    return nlmDenoise(noisy8bit, r.nlmH);
}

double estimatedNoiseSigma(const Image& noisy) {
    try {
        return measureNoise(noisy).sigma;
    } catch (const Error&) {  // too small for two blocks: no estimate (NLM then takes the smallest h, 1)
        return 0;
    }
}

double nlmFactor(double sigma, bool colour) {
    // h / sigma tuned on training images (24 of bsds432 for colour, 24 of train400 for grey; seed 0) with
    // `aekit eval --tune-nlm`, 2026-11-29: colour 0.9 / 0.9 / 0.8, grey 1.0 / 0.9 / 0.8 at sigma 15 / 25 / 50.
    if (colour) return sigma <= 25 ? 0.9 : 0.8;
    return sigma <= 15 ? 1.0 : sigma <= 25 ? 0.9 : 0.8;
}

NlmTuning tuneNlm(const std::vector<std::string>& folders, const NoiseSpec& noise, bool colour, int maxImages,
                  uint64_t seed, const std::vector<double>& factors) {
    auto files = listImages(folders);
    if (files.empty()) fail(ErrorKind::InvalidArgument, "--images: no images found");
    if (int(files.size()) > maxImages) files.resize(size_t(maxImages));
    const double sigma = noise.maxSigma();
    std::vector<Image> clean, noisy;
    std::vector<double> levels;  // the sigma h scales with, per image: the spec's, or estimated on the image
    for (const auto& f : files) {
        Image im = readImage(f);
        if (colour != (im.channels == 3)) im = colour ? grayToRgb(im) : toGray(im);
        Image n = im;
        applyNoise(noise, n, itemSeed(seed, f));
        clipRound8(n);
        levels.push_back(sigma > 0 ? sigma : estimatedNoiseSigma(n));
        clean.push_back(std::move(im));
        noisy.push_back(std::move(n));
    }
    NlmTuning t;
    double bestPsnr = -1;
    for (double f : factors) {
        double sum = 0;
        for (size_t i = 0; i < clean.size(); ++i) sum += psnr(nlmDenoise(noisy[i], std::max(1.0, f * levels[i])), clean[i]);
        const double mean = sum / double(clean.size());
        t.factorPsnr.emplace_back(f, mean);
        if (mean > bestPsnr) {
            bestPsnr = mean;
            t.best = f;
        }
    }
    return t;
}

Image nlmDenoise(const Image& noisy, double h) {
    std::vector<cv::Mat> planes;
    const int order3[3] = {2, 1, 0};
    for (int k = 0; k < noisy.channels; ++k) {
        cv::Mat f(noisy.height, noisy.width, CV_32F, const_cast<float*>(noisy.plane(noisy.channels == 3 ? order3[k] : 0))), q;
        f.convertTo(q, CV_8U, 255.0);
        planes.push_back(q);
    }
    cv::Mat merged, out;
    cv::merge(planes, merged);
    // fastNlMeansDenoising on all channels at once (scored above the Colored variant here).
    cv::fastNlMeansDenoising(merged, out, std::vector<float>{static_cast<float>(h)}, 7, 21, cv::NORM_L2);
    std::vector<cv::Mat> outPlanes;
    cv::split(out, outPlanes);
    Image result = noisy;
    for (int k = 0; k < noisy.channels; ++k) {
        cv::Mat f;
        outPlanes[k].convertTo(f, CV_32F, 1.0 / 255.0);
        std::copy(f.ptr<float>(), f.ptr<float>() + noisy.planeSize(), result.plane(noisy.channels == 3 ? order3[k] : 0));
    }
    return result;
}

namespace {

// The median over the pages of each page's median paper a*b*.
Ab medianPaperColour(const std::vector<std::string>& folders) {
    const auto files = listImages(folders);
    if (files.empty()) fail(ErrorKind::InvalidArgument, "--floor-from: no images found");
    std::vector<double> a, b;
    for (const auto& f : files) {
        const Image im = readImage(f);
        if (im.channels != 3) fail(ErrorKind::InvalidArgument, f + ": --floor-from needs colour scans, this one is grey");
        const Ab p = paperColour(im);
        a.push_back(p.a), b.push_back(p.b);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        const size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    };
    return {median(a), median(b)};
}

// Mean scan figures over the pages (ink: over the pages with ink), blue ink pooled over all pages.
void meanScans(EvalResult& result) {
    auto& mean = result.mean;
    for (ScanColour EvalImage::*which : {&EvalImage::scan, &EvalImage::floorScan}) {
        ScanColour& m = mean.*which;
        m.inkError = m.neutralInkError = 0;
        int inkPages = 0;
        for (const auto& r : result.images) {
            const ScanColour& s = r.*which;
            m.paperToneError += s.paperToneError;
            m.paperSpreadRatio += s.paperSpreadRatio;
            m.blueInk += s.blueInk;
            m.blueInkRight += s.blueInkRight;
            if (s.inkError >= 0) m.inkError += s.inkError, m.neutralInkError += s.neutralInkError, ++inkPages;
        }
        const double n = double(result.images.size());
        m.paperToneError /= n;
        m.paperSpreadRatio /= n;
        if (inkPages) m.inkError /= inkPages, m.neutralInkError /= inkPages;
        else m.inkError = m.neutralInkError = -1;
    }
    for (const auto& r : result.images) mean.floorPsnr += r.floorPsnr;
    mean.floorPsnr /= double(result.images.size());
}

// Errors of output against clean on a mask's pixels (MAE) and off them (RMSE), over all channels.
void maskedErrors(const Image& output, const Image& clean, const Image& mask, const std::string& maskFile, EvalImage& r) {
    if (mask.width != clean.width || mask.height != clean.height)
        fail(ErrorKind::InvalidArgument, maskFile + ": mask is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) +
                                             ", its image " + std::to_string(clean.width) + "x" + std::to_string(clean.height));
    double inside = 0, outside = 0;
    int64_t nIn = 0, nOut = 0;
    for (int c = 0; c < clean.channels; ++c)
        for (int64_t i = 0; i < clean.planeSize(); ++i) {
            const double d = double(output.plane(c)[i]) - clean.plane(c)[i];
            if (mask.plane(0)[i] > 0) {
                inside += std::abs(d);
                ++nIn;
            } else {
                outside += d * d;
                ++nOut;
            }
        }
    r.maskMae = nIn ? inside / double(nIn) : 0;
    r.unmaskedRmse = nOut ? std::sqrt(outside / double(nOut)) : 0;
}

}  // namespace

EvalResult evaluate(ImageModel& model, const std::vector<std::string>& folders, const EvalOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    const Model& m = model.model();
    EvalResult result;
    std::vector<std::pair<std::string, std::string>> files;  // path, relative path
    for (const auto& folder : folders)
        for (const auto& p : listImages({folder})) files.emplace_back(p, relativePath(p, folder));
    if (files.empty()) fail(ErrorKind::InvalidArgument, "--images: no images found");
    std::map<std::string, std::string> targets;
    if (!o.target.empty())
        for (const auto& folder : o.target)
            for (const auto& p : listImages({folder})) targets[relativePath(p, folder)] = p;
    std::map<std::string, std::string> masks;
    if (!o.mask.empty() && o.target.empty() && m.task != Task::Colorize)
        fail(ErrorKind::InvalidArgument, "--mask is for paired data (with --target) or page labels for a colorizer");
    for (const auto& folder : o.mask)
        for (const auto& p : listImages({folder})) masks[relativePath(p, folder)] = p;
    const NoiseSpec noise = NoiseSpec::parse(o.noise);
    const double sigma = noise.maxSigma();
    if (!o.floorFrom.empty() && !(o.scans && m.task == Task::Colorize))
        fail(ErrorKind::InvalidArgument, "--floor-from is for --scans with a colorizer");
    if (o.scans && m.task != Task::Colorize) fail(ErrorKind::InvalidArgument, "--scans is for colorizers");
    if (!o.floorFrom.empty()) result.floorColour = medianPaperColour(o.floorFrom);
    if (!o.saveDir.empty()) {
        std::vector<std::string> inputs = folders;
        inputs.insert(inputs.end(), o.target.begin(), o.target.end());
        refuseImageFolderInInput(o.saveDir, inputs, "--save");
        fs::create_directories(o.saveDir);
    }

    // Images the model takes: its own channels, or, with o.gray, grey in and out of a colour model.
    const int C = o.gray ? 1 : m.arch.inChannels;
    auto maskOf = [&](const std::string& file, const std::string& rel) {
        auto mask = masks.find(rel);
        if (mask == masks.end()) fail(ErrorKind::InvalidArgument, file + ": no mask '" + rel + "' in --mask");
        return std::make_pair(readImage(mask->second), mask->second);
    };
    auto toChannels = [&](const Image& im) {
        if (im.channels == C) return im;
        if (C == 3) return grayToRgb(im);
        return clipped(toGray(im));  // grey as an 8-bit grey file would hold it
    };
    for (const auto& [file, rel] : files) {
        EvalImage r;
        r.file = file;
        Image input = readImage(file);
        Image clean, output, baseline;
        if (m.task == Task::Colorize) {
            clean = input.channels == 3 ? input : grayToRgb(input);
            output = clipped(model.colorize(toGray(clean)));
            const Image grayRgb = clipped(grayToRgb(toGray(clean)));
            r.inputPsnr = psnr(grayRgb, clean);
            r.colourfulnessRatio = colourfulness(output) / std::max(1e-9, colourfulness(clean));
            r.edgeChromaError = edgeChromaError(output, clean);
            if (o.scans) {
                r.scan = scanColour(output, clean);
                if (!o.floorFrom.empty()) {
                    const Image floor = clipped(constantColour(toGray(clean), result.floorColour));
                    r.floorPsnr = psnr(floor, clean);
                    r.floorScan = scanColour(floor, clean);
                }
            }
            if (!o.mask.empty()) {
                const auto [labels, labelFile] = maskOf(file, rel);
                try {
                    r.page = pageColour(output, clean, labels);
                } catch (const Error& e) {
                    fail(ErrorKind::InvalidArgument, labelFile + ": " + e.what());
                }
            }
        } else if (!o.target.empty()) {
            auto it = targets.find(rel);
            if (it == targets.end()) fail(ErrorKind::InvalidArgument, file + ": no target '" + rel + "' in --target");
            clean = toChannels(readImage(it->second));
            input = toChannels(input);
            r.inputPsnr = psnr(input, clean);
            output = clipped(model.denoise(input));  // grey into a colour model: luma out
            r.rmse = std::sqrt(mse(output, clean));
            if (!o.mask.empty()) {
                const auto [mask, maskFile] = maskOf(file, rel);
                maskedErrors(output, clean, mask, maskFile, r);
            }
            if (o.baselineNlm) baseline = nlmBaseline(clipped(input), 0, clean.channels == 3, o.nlmH, r);
        } else {
            clean = toChannels(input);
            Image noisy = clean;
            applyNoise(noise, noisy, itemSeed(o.seed, rel));
            if (o.eightBit) clipRound8(noisy);
            r.inputPsnr = psnr(clipped(noisy), clean);
            output = clipped(model.denoise(noisy));
            if (o.baselineNlm) baseline = nlmBaseline(clipped(noisy), sigma, clean.channels == 3, o.nlmH, r);
            input = noisy;
        }
        r.psnr = psnr(output, clean);
        r.ssim = ssim(output, clean);
        if (o.baselineNlm) {
            r.baselinePsnr = psnr(baseline, clean);
            r.baselineSsim = ssim(baseline, clean);
        }
        if (!o.saveDir.empty()) {
            std::vector<Image> parts{m.task == Task::Colorize ? grayToRgb(toGray(clean)) : input, output};
            if (o.baselineNlm) parts.push_back(baseline);
            parts.push_back(clean);
            saveStrip((fs::path(o.saveDir) / fs::path(rel).replace_extension(".png")).string(), parts);
        }
        result.images.push_back(r);
    }
    auto& mean = result.mean;
    for (const auto& r : result.images) {
        mean.inputPsnr += r.inputPsnr;
        mean.psnr += r.psnr;
        mean.ssim += r.ssim;
        mean.baselinePsnr += r.baselinePsnr;
        mean.baselineSsim += r.baselineSsim;
        mean.colourfulnessRatio += r.colourfulnessRatio;
        mean.edgeChromaError += r.edgeChromaError;
        mean.rmse += r.rmse;
        mean.maskMae += r.maskMae;
        mean.unmaskedRmse += r.unmaskedRmse;
        mean.nlmH += r.nlmH;
        mean.estimatedSigma += r.estimatedSigma;
    }
    // Page figures: the mean over the pages that have pixels of the kind.
    for (double PageColour::*f : {&PageColour::paperToneError, &PageColour::inkChroma, &PageColour::markShare}) {
        double sum = 0;
        int count = 0;
        for (const auto& r : result.images)
            if (r.page.*f >= 0) sum += r.page.*f, ++count;
        if (count) mean.page.*f = sum / count;
    }
    if (o.scans) meanScans(result);
    const double n = double(result.images.size());
    for (double* v : {&mean.inputPsnr, &mean.psnr, &mean.ssim, &mean.baselinePsnr, &mean.baselineSsim,
                      &mean.colourfulnessRatio, &mean.edgeChromaError, &mean.rmse, &mean.maskMae, &mean.unmaskedRmse, &mean.nlmH,
                      &mean.estimatedSigma})
        *v /= n;
    mean.file = "mean";
    result.nlmH = mean.nlmH;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

}  // namespace aekit
