// SPDX-License-Identifier: Apache-2.0
// PNG through libpng, for what OpenCV's PNG writer cannot do: grey+alpha (OpenCV writes only RGBA)
// and an ICC profile in a proper iCCP chunk (exiv2 0.27 writes one with an empty name, which
// readers drop).
#pragma once
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace aekit::io {

// samples: continuous CV_8U or CV_16U with 1 (grey), 2 (grey, alpha), 3 (B, G, R) or 4 (B, G, R, A)
// channels, OpenCV's order. icc: a profile to embed (empty: none). Throws Error(Io) if libpng fails.
std::vector<uint8_t> encodePng(const cv::Mat& samples, int compressionLevel, const std::vector<uint8_t>& icc = {});

}  // namespace aekit::io
