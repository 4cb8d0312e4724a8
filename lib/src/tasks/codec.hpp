// SPDX-License-Identifier: Apache-2.0
// How each task turns images into model tensors and back: denoise and reconstruct feed the
// image's own channels; colorize feeds L/100 and predicts ab/110 (regression) or ab bins.
#pragma once
#include "aekit/architecture.hpp"
#include "aekit/image.hpp"
#include "aekit/model.hpp"
#include "tasks/ab_bins.hpp"

namespace aekit::tasks {

constexpr float kLScale = 100.f;
constexpr float kAbScale = 110.f;

// The image with `channels` colour channels (gray <-> RGB conversion as needed).
Image withChannels(const Image& image, int channels);
// Model input planes for this task: withChannels for denoise/reconstruct; L / 100 for colorize.
Image modelInput(Task task, const Architecture& arch, const Image& image);


// The colorizer's output head: regression (2 channels, ab/110) or classification over ab bins.
struct ColorizeHead {
    bool classify = false;
    AbBins bins;
    float temperature = 0.38f;  // annealed mean (Zhang et al.) at vividness 1
    // The class weights the model was trained with (empty when the file predates them). A weighted
    // cross-entropy learns softmax ~ p(class) x weight, so dividing the weights out gives back p.
    std::vector<float> classWeights;
    // 0 (faithful) to 1 (vivid), the model's default; see vividnessDecode() in codec.cpp.
    float vividness = 1.f;
    // How each pixel's distribution becomes a colour (the model's default: its file's "decode").
    AbBins::Rule rule = AbBins::Rule::Mean;
    // The long side, in pixels, at which the model predicts colour when the user gives none (its
    // file's "size"; 0: full resolution): the scale of the images it learnt from.
    static constexpr int kDefaultWorkingSize = 512;  // files without "size"
    int workingSize = kDefaultWorkingSize;

    static ColorizeHead fromMetadata(const Metadata& metadata, const std::string& name);  // throws Error(BadFile)
    void toMetadata(Metadata& metadata) const;
    int outputChannels() const { return classify ? bins.count() : 2; }
    // out: outputChannels() x H x W of one image -> ab in Lab units (2 planes), at `vividness`
    // (classification only; < 0: the model's default).
    Image decode(const float* out, int H, int W, float vividness = -1) const;
};

}  // namespace aekit::tasks
