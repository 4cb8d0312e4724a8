// SPDX-License-Identifier: Apache-2.0
// Training data as the loop sees it: the files of a run (training, validation, paired targets),
// augmented patches, and the input/target pair each task makes from a clean crop.
#pragma once
#include <string>
#include <vector>

#include "aekit/image.hpp"
#include "aekit/noise.hpp"
#include "aekit/random.hpp"
#include "aekit/trainer.hpp"
#include "tasks/ab_bins.hpp"
#include "tasks/codec.hpp"
#include "train/dataset.hpp"

namespace aekit::training {

struct TrainingFiles {
    std::vector<std::string> train, trainTargets, val, valTargets;
};
// The images of --data (and --target, matched by relative path) and --val, or a seeded split of
// --data for validation. Throws Error naming a missing or empty folder or an unmatched pair.
TrainingFiles gatherFiles(const TrainOptions& o);

// A P x P crop at (x, y) under one of the 8 flips/rotations t (bit 2 transposes; then bit 0 mirrors
// the crop's x and bit 1 its y).
Image cropTransformed(const Image& im, int x, int y, int P, int t);

// One input/target pair made from a training or validation image, as the task wants it.
struct Example {
    Image input;   // model input planes
    Image target;  // denoise/reconstruct: clean; colorize: RGB truth (for metrics and labels)
    Image shown;   // input as a viewable image
};

class ExampleMaker {
public:
    ExampleMaker(const TrainOptions& o, const NoiseSpec& noise) : o_(o), noise_(noise) {}
    // clean: the (cropped) clean image; degraded: the paired degraded crop, or null.
    Example make(const Image& clean, const Image* degraded, Random& rng) const;

private:
    const TrainOptions& o_;
    const NoiseSpec& noise_;
};

// Colorize by classification: each ab class's weight from the training images' ab histogram
// (every 4th pixel of up to about 400 images), leaning to rare colours by `rebalance`.
std::vector<float> colourClassWeights(const ImageSet& images, const tasks::AbBins& bins, double rebalance);

}  // namespace aekit::training
