// SPDX-License-Identifier: Apache-2.0
// Noise models for corrupting clean images (training pairs, evaluation). Grammar (README, "corrupt"):
//   SPEC   := CHOICE ('|' CHOICE)*          one choice per image, drawn by weight
//   CHOICE := [W '*'] (CHAIN | none)        W > 0, default 1; none leaves the image clean
//   CHAIN  := MODEL ('+' MODEL)*            applied in order
//   MODEL  := gaussian:S | gaussian:A-B | poisson:PEAK | saltpepper:P | speckle:S | jpeg:Q | mask:P
//           | camera:ISO | camera:LO-HI
// gaussian sigma on the 0-255 scale (A-B: drawn per image); poisson PEAK photons at white;
// saltpepper P fraction of pixels set to 0 or 1; speckle S std of multiplicative noise (0-1);
// jpeg Q quality 1-100; mask P fraction of pixels set to 0; camera: a simulated camera at ISO 50-25600
// (LO-HI: log-uniform per image), see docs/camera-noise.md. Seeded: same seed and input, same bytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "aekit/image.hpp"

namespace aekit {

struct NoiseModel {
    enum class Kind { Gaussian, Poisson, SaltPepper, Speckle, Jpeg, Mask, Camera } kind;
    double a = 0, b = 0;  // parameters: gaussian sigma and camera ISO ranges [a,b] (a == b for fixed), others use a
};

// Models applied in order; an empty chain is `none`.
struct NoiseChain {
    double weight = 1;
    std::vector<NoiseModel> models;
};

struct NoiseSpec {
    std::vector<NoiseChain> choices;  // one is drawn per image (by weight) when there are several
    std::string text;                 // as given

    // Throws Error(InvalidArgument) with the grammar above when malformed.
    static NoiseSpec parse(const std::string& spec);
    static const char* grammar();
    bool empty() const { return choices.empty(); }
    // The largest gaussian sigma this spec can draw (0-255 scale), 0 if none.
    double maxSigma() const;
};

// Corrupts image in place, deterministically from seed. Gaussian noise is NOT clipped (evaluation
// protocol); jpeg and camera quantise to 8 bits. Returns the gaussian sigma drawn (0-255), 0 if none.
double applyNoise(const NoiseSpec& spec, Image& image, uint64_t seed);

// A seed for one item of a batch: mixes the run's seed with the item's key (e.g. relative path),
// so results do not depend on the order or the threads that process items.
uint64_t itemSeed(uint64_t seed, const std::string& key);

}  // namespace aekit
