// SPDX-License-Identifier: Apache-2.0
// Colour figures for a real scanned page with no label map (docs/evaluation.md, "Real scans"): the
// colorizer's output against the colour scan it was made from. Paper and ink are found on the
// truth's lightness, which is the grey page's too, so every model is judged on the same pixels.
#pragma once
#include <cstdint>

#include "aekit/image.hpp"

namespace aekit {

// Paper: pixels whose L* is at least the page's median L* less kPaperBelowMedian (a page is mostly
// paper, so its median is paper). Ink: truth L* under kInkLightness.
constexpr double kPaperBelowMedian = 10;
constexpr double kInkLightness = 45;

struct ScanColour {
    double paperToneError = 0;      // distance in a*b* between the output's and the truth's median paper colour
    double paperSpreadRatio = 0;    // spread of a*b* over the paper (sqrt(var a* + var b*)), output / truth
    double inkError = -1;           // mean a*b* distance to the truth on ink pixels (-1: no ink on the page)
    double neutralInkError = -1;    // the same for neutral ink (a* = b* = 0): the truth's mean ink chroma
    int64_t blueInk = 0;            // ink pixels blue in the truth (kBlue below)
    int64_t blueInkRight = 0;       // of those, blue in the output
};
ScanColour scanColour(const Image& output, const Image& truth);

// Blue: hue within 45 degrees of pure -b* (a* between b* and -b*), chroma at least this many units.
constexpr double kBlueChroma = 5;
bool isBlue(double a, double b, double minChroma = kBlueChroma);

// The median a*b* of a page's paper (above).
struct Ab {
    double a = 0, b = 0;
};
Ab paperColour(const Image& rgb);

// The floor that needs no network: the grey page's L with one a*b* everywhere, as sRGB.
Image constantColour(const Image& gray, Ab ab);

}  // namespace aekit
