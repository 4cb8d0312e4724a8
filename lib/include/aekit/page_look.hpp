// SPDX-License-Identifier: Apache-2.0
// Whether a grey image looks like a document page (paper with dark strokes) or a photo: what
// `aekit colorize` decides by when no --model is given (docs/design.md, "Choosing a colorizer").
#pragma once
#include "aekit/image.hpp"

namespace aekit {

struct PageLook {
    double paperL = 0;     // the median lightness (CIE L*, 0-100): on a page, the paper's
    double paper = 0;      // share of pixels within kPaperBand L* of the median
    double dark = 0;       // share of pixels more than kStrokeBelow L* under the median (ink, strokes)
    double strokeEdges = 0;  // share of the dark pixels that touch paper within 2 px (thin strokes, not dark regions)
    bool document = false;
};
constexpr double kPaperBand = 8;
constexpr double kStrokeBelow = 25;
// A document: light paper (median L* at least kLightPaper), mostly paper, some ink, and ink in thin
// strokes. Chosen on the training scans and training photos (docs/design.md): 97 of 101 pages, 1 of
// 1,132 photos.
constexpr double kLightPaper = 60;
constexpr double kMostlyPaper = 0.6;
constexpr double kSomeInk = 0.005;
constexpr double kThinStrokes = 0.8;

// Measured on the image's lightness at a long side of at most 512 px (the rule is about layout, not detail).
PageLook lookOfPage(const Image& image);

}  // namespace aekit
