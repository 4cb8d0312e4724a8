// SPDX-License-Identifier: Apache-2.0
// What an image file is, from its first bytes, and the pixel size it declares, read from its header
// before anything is decoded, so that a decompression bomb is refused before a decoder allocates for
// it. PNG, JPEG, TIFF, BMP and WebP: the formats aekit reads.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace aekit::io {

enum class ImageFormat { Unknown, Png, Jpeg, Tiff, Bmp, WebP };

// The format whose signature the data starts with, as OpenCV's decoder for it would claim the file
// (for WebP, libwebp must parse the first 32 bytes: a "RIFF....WEBP" file that fails that would go
// on to OpenCV's other decoders, GDAL among them, through a temporary file; the image fuzzer found
// it). Unknown as well for data with "DICM" at offset 128 or "DTED" at 140, which OpenCV hands to
// gdcm or GDAL whatever the first bytes say when the named decoder turns the file down.
ImageFormat formatOf(const uint8_t* data, size_t size);

struct DeclaredSize {
    uint64_t width = 0;
    uint64_t height = 0;
};

// The size in the header (of the first frame, page or directory: what the decoders read), or none
// when the header is missing, truncated or malformed.
std::optional<DeclaredSize> declaredSize(ImageFormat format, const uint8_t* data, size_t size);

// What a valid file of a known format holds that aekit does not read (an animated WebP, a TIFF of
// 32-bit or floating-point samples), in words; nullopt when there is nothing of the kind.
std::optional<std::string> unsupportedFeature(ImageFormat format, const uint8_t* data, size_t size);
// The number of scans (start-of-scan segments) of a JPEG: its segments walked by their lengths, each
// scan's entropy-coded data skipped to the next marker (what an EXIF thumbnail holds is not counted).
uint64_t jpegScanCount(const uint8_t* data, size_t size);
// True for a PNG without an alpha channel that declares a transparent colour (tRNS): OpenCV drops it.
bool pngHasTransparentColour(const uint8_t* data, size_t size);
// Whether a PNG is animated (an acTL chunk before its image data): decoders read its first frame.
bool pngIsAnimated(const uint8_t* data, size_t size);

}  // namespace aekit::io
