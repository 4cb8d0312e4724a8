// SPDX-License-Identifier: Apache-2.0
// Colour helpers for gray conversion and the colorizer: sRGB <-> CIE Lab (D65; L in [0,100],
// a and b roughly [-110,110]), L/ab split and merge. Planar float buffers, sRGB in [0,1]. Full-size
// conversions work a strip of rows at a time (bounded scratch memory).
#pragma once
#include "aekit/image.hpp"

namespace aekit {

// rgb: 3 planes -> gray: 1 plane (ITU-R BT.601 luma, as OpenCV's cvtColor).
Image toGray(const Image& rgb);
// gray -> 3 equal planes.
Image grayToRgb(const Image& gray);
// sRGB image (3 planes) -> Lab image (3 planes: L, a, b).
Image rgbToLab(const Image& rgb);
// Lab image (3 planes) -> sRGB (3 planes, clipped to [0,1]).
Image labToRgb(const Image& lab);
// L of an sRGB or gray image: 1 plane in [0,100].
Image lightness(const Image& image);
// Merge an L plane (W x H) and an ab pair (2 planes, same size) into Lab.
Image mergeLab(const Image& L, const Image& ab);
// sRGB (clipped to [0,1]) from a full-resolution L plane and an ab pair at any resolution: the
// colorizer's last step, without a full-size ab. A smaller ab is upsampled bilinearly (as
// cv::resize) and then guided by L (a guided filter), so that colour follows L's edges.
Image labToRgb(const Image& L, const Image& ab, bool guided = true);

}  // namespace aekit
