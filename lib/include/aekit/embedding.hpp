// SPDX-License-Identifier: Apache-2.0
// Latent codes from an autoencoder: each image, resized to a fixed square, goes through the encoder;
// its bottleneck code, averaged over positions, is a fixed-length vector (one value per code
// channel). Also: the autoencoder's reconstruction error at that size beside PCA's at an equal
// code size, and a 2-D scatter plot of codes.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "aekit/image.hpp"
#include "aekit/model.hpp"

namespace aekit {

class Embedder {
public:
    // size: the side images are resized to (rounded up to the network's alignment).
    Embedder(Model model, int size);
    ~Embedder();
    int size() const;
    int codeChannels() const;
    // Values in the whole code tensor at this size (channels x side/2^L x side/2^L): the code size
    // PCA is given in the comparison.
    int codeSize() const;
    // The image as the network sees it: resized to size x size, channels converted to the model's.
    Image prepare(const Image& image) const;
    // Per-channel mean of the code of a prepared image.
    std::vector<float> code(const Image& prepared);
    // The model's reconstruction of a prepared image (clipped to [0,1]).
    Image reconstruct(const Image& prepared);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct PcaComparison {
    int components = 0;            // PCA components used (the code size, at most fit images - 1)
    double autoencoderMse = 0, pcaMse = 0;
};
// PCA fitted on `fit` (prepared images), both methods evaluated on `test` (prepared images).
PcaComparison compareWithPca(Embedder& embedder, const std::vector<Image>& fit, const std::vector<Image>& test);

// A scatter plot (PNG-ready 8-bit RGB image) of the codes' first two principal components.
Image codeScatterPlot(const std::vector<std::vector<float>>& codes, int side = 512);

}  // namespace aekit
