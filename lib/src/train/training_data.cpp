// SPDX-License-Identifier: Apache-2.0
// Training data (see train/training_data.hpp).
#include "train/training_data.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "aekit/batch.hpp"
#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "core/dihedral.hpp"

namespace aekit::training {

namespace fs = std::filesystem;

namespace {

constexpr double kClipShare = 0.25;  // share of denoise inputs clipped and rounded to 8 bits, as real photos are

void clipTo8Bit(Image& im) {
    for (float& v : im.pixels) v = std::round(std::clamp(v, 0.f, 1.f) * 255.f) / 255.f;
}

// image path -> relative path, for every image under the folders.
std::vector<std::pair<std::string, std::string>> imagesWithKeys(const std::vector<std::string>& folders,
                                                                const char* option) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) fail(ErrorKind::InvalidArgument, std::string(option) + " " + folder + ": no such folder");
        const auto before = out.size();
        for (const auto& p : listImages({folder})) out.emplace_back(p, relativePath(p, folder));
        if (out.size() == before)
            fail(ErrorKind::InvalidArgument, std::string(option) + " " + folder + ": no images in this folder (png, jpg, tif, bmp, webp)");
    }
    return out;
}

}  // namespace

TrainingFiles gatherFiles(const TrainOptions& o) {
    if (o.data.empty()) fail(ErrorKind::InvalidArgument, "--data: give at least one folder of training images");
    TrainingFiles f;
    const auto data = imagesWithKeys(o.data, "--data");
    std::vector<std::string> paths, targets;
    if (!o.target.empty()) {
        std::map<std::string, std::string> byKey;
        for (const auto& [p, key] : imagesWithKeys(o.target, "--target")) byKey.emplace(key, p);
        for (const auto& [p, key] : data) {
            auto it = byKey.find(key);
            if (it == byKey.end())
                fail(ErrorKind::InvalidArgument, p + ": no image '" + key + "' in --target (pairs are matched by relative path)");
            paths.push_back(p);
            targets.push_back(it->second);
        }
    } else {
        for (const auto& [p, key] : data) paths.push_back(p);
    }
    if (!o.val.empty()) {
        if (!o.target.empty()) fail(ErrorKind::InvalidArgument, "--val with --target is not supported: validation pairs are split off --data");
        for (const auto& [p, key] : imagesWithKeys(o.val, "--val")) f.val.push_back(p);
        f.train = paths;
        f.trainTargets = targets;
        return f;
    }
    if (paths.size() < 2) fail(ErrorKind::InvalidArgument, "--data: need at least 2 images to split off validation (or give --val)");
    std::vector<size_t> order(paths.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    Random rng(itemSeed(o.seed, "validation split"));
    rng.shuffle(order);
    // At least valFraction of the images or 2, whichever is more (one image is no validation), at most
    // --val-images, and always one left to train on.
    const size_t share = std::max<size_t>(size_t(std::lround(double(paths.size()) * o.valFraction)), 2);
    const size_t nVal = std::clamp<size_t>(share, 1, std::min<size_t>(size_t(std::max(1, o.valImages)), paths.size() - 1));
    for (size_t k = 0; k < order.size(); ++k) {
        const size_t i = order[k];
        auto& p = k < nVal ? f.val : f.train;
        auto& t = k < nVal ? f.valTargets : f.trainTargets;
        p.push_back(paths[i]);
        if (!targets.empty()) t.push_back(targets[i]);
    }
    return f;
}

Image cropTransformed(const Image& im, int x, int y, int P, int t) {
    const bool transpose = (t & 4) != 0;
    const Dihedral d{transpose, (t & (transpose ? 2 : 1)) != 0, (t & (transpose ? 1 : 2)) != 0};
    Image out = Image::blank(P, P, im.channels, im.bitDepth);
    for (int c = 0; c < im.channels; ++c) {
        const float* src = im.plane(c) + int64_t(y) * im.width + x;
        float* dst = out.plane(c);
        for (int i = 0; i < P; ++i)
            for (int j = 0; j < P; ++j) dst[i * P + j] = src[d.sourceIndex(i, j, P, P, im.width)];
    }
    return out;
}

Example ExampleMaker::make(const Image& clean, const Image* degraded, Random& rng) const {
    Example e;
    if (o_.task == Task::Colorize) {
        e.target = tasks::withChannels(clean, 3);
        e.input = tasks::modelInput(Task::Colorize, o_.arch, e.target);
        e.shown = toGray(e.target);
        return e;
    }
    const int C = o_.arch.inChannels;
    e.target = tasks::withChannels(clean, C);
    e.input = degraded ? tasks::withChannels(*degraded, C) : e.target;
    if (!degraded && !noise_.empty()) {
        applyNoise(noise_, e.input, rng());
        if (C == 3 && o_.grayShare > 0 && rng.uniform() < o_.grayShare) {
            e.input = grayToRgb(toGray(e.input));
            e.target = grayToRgb(toGray(e.target));
        }
        if (rng.uniform() < kClipShare) clipTo8Bit(e.input);
    }
    e.shown = e.input;
    return e;
}

std::vector<float> colourClassWeights(const ImageSet& images, const tasks::AbBins& bins, double rebalance) {
    std::vector<double> counts(size_t(bins.count()), 0.0);
    const size_t stride = std::max<size_t>(1, images.size() / 400);
    for (size_t i = 0; i < images.size(); i += stride) {
        const Image lab = rgbToLab(tasks::withChannels(*images.image(i), 3));
        for (int64_t p = 0; p < lab.planeSize(); p += 4) counts[size_t(bins.nearest(lab.plane(1)[p], lab.plane(2)[p]))] += 1;
    }
    return bins.rebalancingWeights(counts, rebalance);
}

}  // namespace aekit::training
