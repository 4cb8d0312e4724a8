// SPDX-License-Identifier: Apache-2.0
// Image quality figures (docs/evaluation.md): PSNR and SSIM on planar float images
// in [0,1], colourfulness (Hasler and Suesstrunk 2003).
#pragma once
#include "aekit/image.hpp"

namespace aekit {

// 10 log10(1 / MSE) over all pixels and channels (values on the [0,1] scale; equals the 255^2 form).
double psnr(const Image& a, const Image& b);
double mse(const Image& a, const Image& b);
// SSIM (Wang et al. 2004): Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, data range 1, mean over
// channels of the mean SSIM map (valid region: the window never leaves the image).
double ssim(const Image& a, const Image& b);
// The local SSIM at every pixel (same window; borders reflected), mean over channels: 1 plane.
Image ssimMap(const Image& a, const Image& b);
// Hasler and Suesstrunk's M on an RGB image scaled to 0-255.
double colourfulness(const Image& rgb);
// Colour bleeding across edges (halos): the mean chroma error, Euclidean in CIE Lab's a and b, over
// the pixels within `band` px of a strong edge of the truth's lightness (Sobel gradient magnitude of
// L above kStrongEdge L units per pixel). RGB images of one size.
constexpr double kStrongEdge = 20;
double edgeChromaError(const Image& output, const Image& truth, int band = 2);

// Colour on a document page, measured on the pixels of each kind that a label map names (one plane of
// 8-bit values: 255 paper, 0 dark neutral ink, 128 a coloured mark; other values are left out;
// `make_samples --pages` writes such maps). All in CIE Lab units; a figure is negative when the page has no
// pixel of its kind.
struct PageColour {
    double paperToneError = -1;  // distance in a*b* between the mean colour of the output's paper and the truth's
    double inkChroma = -1;       // mean chroma of the output on dark neutral ink
    double markShare = -1;       // share of coloured-mark pixels the output colours right: hue within
                                 // kMarkHueTolerance degrees of the truth's, chroma at least half the truth's
};
constexpr double kMarkHueTolerance = 45;
PageColour pageColour(const Image& output, const Image& truth, const Image& labels);

}  // namespace aekit
