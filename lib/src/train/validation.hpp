// SPDX-License-Identifier: Apache-2.0
// Validation during training: fixed centre crops of the validation images with fixed corruption,
// made once, and the mean PSNR of the network's output on them (plus a preview image).
#pragma once
#include <string>
#include <vector>

#include "aekit/network.hpp"
#include "aekit/noise.hpp"
#include "aekit/trainer.hpp"
#include "tasks/codec.hpp"
#include "train/dataset.hpp"
#include "train/training_data.hpp"

namespace aekit::training {

struct ValidationFigures {
    double psnr = 0;           // colorize: PSNR of the colour result
    double inputPsnr = 0;      // of the input itself (denoise: noisy; colorize: grey)
    double colourfulness = 0;  // colorize: the outputs' colourfulness as a share of the truth's
};

class Validator {
public:
    // Crops of side min(max(o.valCrop, o.patch), smallest image) rounded down to the architecture's alignment;
    // throws Error if the images are smaller than that alignment.
    Validator(const TrainOptions& o, const tasks::ColorizeHead& head, const NoiseSpec& noise, const ImageSet& images);
    int crop() const { return crop_; }
    size_t count() const { return examples_.size(); }
    // Runs `inference` (shaped 1 x crop x crop) on every example; with a preview, writes
    // o.out + ".preview.png" (input | output | target of the first four).
    ValidationFigures run(Network& inference, bool preview) const;

private:
    const TrainOptions& o_;
    const tasks::ColorizeHead& head_;
    int crop_ = 0;
    std::vector<Example> examples_;
    double baseline_ = 0;
};

}  // namespace aekit::training
