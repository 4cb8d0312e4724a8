// SPDX-License-Identifier: Apache-2.0
// ICC profiles on their way from an input to its output: which images a profile fits, and WebP's
// ICCP chunk through libwebpmux (exiv2 0.27 files the profile under a chunk labelled VP8X).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aekit::io {

// The colour space a profile declares (its header's bytes 16-19: "RGB ", "GRAY", "CMYK", ...);
// empty when the data is too short to be a profile.
std::string iccColourSpace(const std::vector<uint8_t>& icc);

// Whether a profile can describe an image of `channels` colour channels (RGB for 3, GRAY for 1).
bool iccFits(const std::vector<uint8_t>& icc, int channels);

// A WebP file with the profile in its ICCP chunk (any earlier one replaced), the rest unchanged.
// Throws Error(Io) when libwebpmux cannot parse or assemble the file.
std::vector<uint8_t> withWebpProfile(const std::vector<uint8_t>& webp, const std::vector<uint8_t>& icc);

}  // namespace aekit::io
