// SPDX-License-Identifier: Apache-2.0
// Validation during training (see train/validation.hpp).
#include "train/validation.hpp"

#include <algorithm>
#include <cmath>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/metrics.hpp"
#include "aekit/random.hpp"
#include "train/report.hpp"

namespace aekit::training {

Validator::Validator(const TrainOptions& o, const tasks::ColorizeHead& head, const NoiseSpec& noise, const ImageSet& images)
    : o_(o), head_(head) {
    const int align = o_.arch.alignment();
    // At least the patch: a deep network's alignment (256 px at 8 levels) is beyond the default crop.
    int side = std::max(o_.valCrop, o_.patch);
    for (size_t i = 0; i < images.size(); ++i) {
        const auto im = images.image(i);
        side = std::min({side, im->width, im->height});
    }
    side -= side % align;
    if (side < align) fail(ErrorKind::InvalidArgument, "validation images are smaller than " + std::to_string(align) + " px");
    crop_ = side;
    const ExampleMaker task(o_, noise);
    double base = 0;
    int based = 0;  // inputs with a finite PSNR (a noise spec with `none` leaves some clean)
    for (size_t i = 0; i < images.size() && int(i) < o_.valImages; ++i) {
        Random rng(itemSeed(o_.seed, "val:" + std::to_string(i)));
        const auto im = images.image(i);
        const int x = (im->width - side) / 2, y = (im->height - side) / 2;
        Example e;
        if (images.paired()) {
            const Image clean = cropTransformed(*images.target(i), x, y, side, 0);
            const Image degraded = cropTransformed(*im, x, y, side, 0);
            e = task.make(clean, &degraded, rng);
        } else {
            e = task.make(cropTransformed(*im, x, y, side, 0), nullptr, rng);
        }
        double p;
        if (o_.task == Task::Colorize) {
            p = psnr(grayToRgb(toGray(e.target)), e.target);
        } else {
            Image clipped = e.input;
            for (float& v : clipped.pixels) v = std::clamp(v, 0.f, 1.f);
            p = psnr(clipped, e.target);
        }
        if (std::isfinite(p)) {
            base += p;
            ++based;
        }
        examples_.push_back(std::move(e));
    }
    baseline_ = based > 0 ? base / based : INFINITY;
}

ValidationFigures Validator::run(Network& inference, bool preview) const {
    const int side = crop_, C = o_.arch.outChannels;
    const int64_t plane = int64_t(side) * side;
    double sum = 0, colourTruth = 0, colourOut = 0;
    std::vector<std::vector<Image>> rows;
    for (const auto& e : examples_) {
        std::copy(e.input.pixels.begin(), e.input.pixels.end(), inference.input());
        inference.forward();
        const float* out = inference.output();
        Image result;
        if (o_.task == Task::Colorize) {
            const Image ab = head_.decode(out, side, side);
            Image L = e.input;
            for (float& v : L.pixels) v *= tasks::kLScale;
            result = labToRgb(L, ab);
            colourTruth += colourfulness(e.target);
            colourOut += colourfulness(result);
        } else {
            result = Image::blank(side, side, C);
            for (int64_t i = 0; i < C * plane; ++i) result.pixels[size_t(i)] = std::clamp(out[i], 0.f, 1.f);
        }
        sum += psnr(result, e.target);
        if (preview && rows.size() < 4) rows.push_back({e.shown, result, e.target});
    }
    ValidationFigures f;
    f.psnr = sum / double(examples_.size());
    f.inputPsnr = baseline_;
    f.colourfulness = colourOut / std::max(1e-9, colourTruth);
    if (preview) {
        for (auto& row : rows)
            for (auto& im : row)
                for (float& v : im.pixels) v = std::clamp(v, 0.f, 1.f);
        training::writePreview(o_.out + ".preview.png", rows);
    }
    return f;
}

}  // namespace aekit::training
