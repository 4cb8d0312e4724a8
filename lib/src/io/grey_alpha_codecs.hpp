// SPDX-License-Identifier: Apache-2.0
// Grey images with an alpha channel in TIFF, which OpenCV can only write as RGBA: an encoder through
// libtiff (one sample plus an unassociated alpha sample), the decoder, and TIFF header readers.
// (Grey+alpha PNG goes through io/png_writer.hpp.)
#pragma once
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace aekit::io {

// A TIFF's bits per sample and sample format (SAMPLEFORMAT_UINT, _INT, _IEEEFP); nullopt if unreadable.
std::optional<std::pair<uint16_t, uint16_t>> tiffSampleKind(const uint8_t* data, size_t size);

// greyAlpha: CV_8UC2 or CV_16UC2 (grey, alpha). Throws Error(Io) if the library reports an error.
std::vector<uint8_t> encodeGreyAlphaTiff(const cv::Mat& greyAlpha);
// A TIFF of one grey sample plus alpha, 8 or 16 bits (which OpenCV decodes through an 8-bit RGBA
// path, losing depth): CV_8UC2 or CV_16UC2. An empty Mat for any other TIFF, or one libtiff rejects.
cv::Mat decodeGreyAlphaTiff(const uint8_t* data, size_t size);
// Width and length of a TIFF's first directory (libtiff is used here only), or none when libtiff
// cannot open it or either tag is missing.
std::optional<std::pair<uint32_t, uint32_t>> tiffDimensions(const uint8_t* data, size_t size);
// The pages (directories) of a TIFF; 0 if libtiff cannot open it.
int tiffPageCount(const uint8_t* data, size_t size);
// Width and rows of one strip (or tile) as the first directory declares them: what OpenCV's TIFF
// decoder allocates a buffer for, however few rows the image has (a strip of 65531 rows in a 2-row
// image made it ask for 3.4 GB: found by the image fuzzer). None when libtiff cannot open it.
std::optional<std::pair<uint32_t, uint32_t>> tiffStripSize(const uint8_t* data, size_t size);

}  // namespace aekit::io
