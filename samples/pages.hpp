// SPDX-License-Identifier: Apache-2.0
// Document pages made from code: random colour pages (paper tones, black, blue and red inks,
// coloured headings, stamps, highlighter, handwriting, stains, ruled paper) for training the
// colorizer on scans, grey scan/clean pairs with ink masks for the document cleaner, and the pieces
// the fixed sample page shares with them.
#pragma once
#include <opencv2/core.hpp>

#include <random>

namespace samples {

// Smooth random curves like lines of handwriting: `lines` lines `gap` px apart from `start`, each of
// `points` points `step` px apart.
void drawHandwriting(cv::Mat& page, std::mt19937& rng, cv::Point2d start, int lines, double gap, int points, double step,
                     const cv::Scalar& ink, int thickness);

// What each pixel of a random page is, for measuring a colorizer on it (docs/evaluation.md): paper
// (no mark, no stain), dark neutral ink, a coloured mark (heading, stamp, highlighter, coloured ink,
// ruling, tinted box), or none of these (stains, the soft edges of marks, faint grey).
constexpr unsigned char kPaperLabel = 255, kNeutralInkLabel = 0, kColouredMarkLabel = 128, kOtherLabel = 64;

// One random page (BGR, 8-bit), about 320-512 px wide and 400-640 px high; with `labels`, also its
// label map (8-bit, the values above). The page's pixels do not depend on whether labels are asked for.
cv::Mat randomPage(std::mt19937& rng, cv::Mat* labels = nullptr);

// A random page as a document cleaner learns it (grey, 8-bit, the same size): `clean`, every mark
// (text, bold and coloured headings, stamps, handwriting, highlighter, ruling) on white paper;
// `scanned`, the same marks on aged paper with show-through, stains, a fold, uneven light, blur and
// scanner noise; `ink`, 255 where clean is a mark (more than 5% darker than the paper), else 0.
struct ScanPair {
    cv::Mat clean, scanned, ink;
};
ScanPair randomScanPair(std::mt19937& rng);

}  // namespace samples
