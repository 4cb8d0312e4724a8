// SPDX-License-Identifier: Apache-2.0
// Noise measured on an image alone, without a clean reference: from its flattest blocks, the noise's
// level against brightness, how it correlates between neighbouring pixels (its spatial spectrum,
// in short) and between colour channels. For real photos (what `aekit noise` prints, NLM's h on
// real noise) and for checking a simulated noise against real noise. Not a denoiser's figure of merit.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "aekit/image.hpp"

namespace aekit {

struct NoiseStats {
    static constexpr int kMaxLag = 4;  // correlations at pixel distances 1..kMaxLag
    static constexpr int kBins = 8;    // brightness bins over [0,1]

    int blocks = 0;      // flat blocks the figures come from
    double sigma = 0;    // noise standard deviation on the 0-255 scale, mean over channels
    std::vector<double> sigmaPerChannel;  // 0-255 scale, R G B (or the one grey channel)
    // Level against brightness: for each bin of block mean brightness (luma, [0,1]) with flat blocks,
    // the noise standard deviation (0-255) per channel; bins without blocks are left out.
    struct Level {
        double brightness = 0;
        int blocks = 0;
        std::vector<double> sigma;
    };
    std::vector<Level> levels;
    // Normalised autocorrelation of the noise at distances 1..kMaxLag (mean of horizontal and vertical):
    // 0 for white noise, near 1 for noise that is blotchy over that distance. Luma (Y) and chroma
    // (Cb and Cr pooled); chroma stays 0 for grey images.
    std::array<double, kMaxLag> lumaCorrelation{}, chromaCorrelation{};
    // Colour images: correlation of the noise between channels R-G, R-B, G-B, and the share of the
    // noise's variance that is chroma (Cb, Cr) rather than luma.
    std::array<double, 3> channelCorrelation{};
    double chromaShare = 0;
};

struct NoiseStatsOptions {
    int block = 16;            // block side in pixels
    double flatQuantile = 0.25;  // per brightness bin, blocks whose variance is at most this quantile count as flat
};

// Splits the image into blocks, removes a least-squares plane from each channel of each block (the
// signal's smooth part), and keeps the flattest blocks of each brightness bin: their residuals are
// taken as noise. Texture that survives the plane fit reads as noise, so the figures are upper
// bounds on images without flat regions. With a reference (the clean image, same size), the noise is
// image - reference exactly, and flatness and brightness are the reference's. Throws
// Error(InvalidArgument) when the image is smaller than two blocks or the reference does not match.
NoiseStats measureNoise(const Image& image, const NoiseStatsOptions& options = {}, const Image* reference = nullptr);

// A short multi-line report of the figures (for `aekit noise`).
std::string describe(const NoiseStats& stats);

}  // namespace aekit
