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

}  // namespace aekit
