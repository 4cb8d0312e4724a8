// SPDX-License-Identifier: Apache-2.0
// Header sizes of the five formats aekit reads (see image_header.hpp). The byte layouts: PNG's IHDR
// chunk, JPEG's first SOFn segment, BMP's DIB header, libwebp for WebP, libtiff for TIFF.
#include "io/image_header.hpp"

#include <webp/decode.h>

#include <cstring>

#include "io/grey_alpha_codecs.hpp"

namespace aekit::io {

namespace {

uint32_t be16(const uint8_t* p) { return uint32_t(p[0]) << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
uint32_t le16(const uint8_t* p) { return uint32_t(p[1]) << 8 | p[0]; }
uint32_t le32(const uint8_t* p) { return le16(p + 2) << 16 | le16(p); }

std::optional<DeclaredSize> pngSize(const uint8_t* d, size_t n) {
    if (n < 24 || std::memcmp(d + 12, "IHDR", 4) != 0) return std::nullopt;
    return DeclaredSize{be32(d + 16), be32(d + 20)};
}

// Walks the marker segments up to the first start-of-frame (SOF0-SOF15 but DHT, JPG and DAC).
std::optional<DeclaredSize> jpegSize(const uint8_t* d, size_t n) {
    size_t pos = 2;
    while (pos + 1 < n) {
        if (d[pos] != 0xFF) return std::nullopt;
        while (pos + 1 < n && d[pos + 1] == 0xFF) ++pos;  // fill bytes
        if (pos + 1 >= n) return std::nullopt;
        const uint8_t marker = d[pos + 1];
        pos += 2;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;  // no length
        if (marker == 0xD9 || marker == 0xDA || pos + 2 > n) return std::nullopt;  // image data before a frame
        const uint32_t length = be16(d + pos);
        if (length < 2) return std::nullopt;
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (length < 7 || pos + 7 > n) return std::nullopt;
            return DeclaredSize{be16(d + pos + 5), be16(d + pos + 3)};
        }
        pos += length;
    }
    return std::nullopt;
}

std::optional<DeclaredSize> bmpSize(const uint8_t* d, size_t n) {
    if (n < 18) return std::nullopt;
    const uint32_t header = le32(d + 14);
    if (header == 12 && n >= 22) return DeclaredSize{le16(d + 18), le16(d + 20)};  // OS/2 core header
    if (header < 16 || n < 26) return std::nullopt;
    const int32_t width = static_cast<int32_t>(le32(d + 18));
    const int64_t height = static_cast<int32_t>(le32(d + 22));  // negative: rows stored top-down
    if (width < 0) return std::nullopt;
    return DeclaredSize{uint64_t(width), uint64_t(height < 0 ? -height : height)};
}

std::optional<DeclaredSize> webpSize(const uint8_t* d, size_t n) {
    WebPBitstreamFeatures features;
    if (WebPGetFeatures(d, n, &features) != VP8_STATUS_OK || features.width < 0 || features.height < 0)
        return std::nullopt;
    return DeclaredSize{uint64_t(features.width), uint64_t(features.height)};
}

}  // namespace

ImageFormat formatOf(const uint8_t* d, size_t n) {
    if ((n >= 132 && std::memcmp(d + 128, "DICM", 4) == 0) || (n >= 144 && std::memcmp(d + 140, "DTED", 4) == 0))
        return ImageFormat::Unknown;
    if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return ImageFormat::Png;
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFormat::Jpeg;
    if (n >= 2 && d[0] == 'B' && d[1] == 'M') return ImageFormat::Bmp;
    if (n >= 4 && (std::memcmp(d, "II*", 4) == 0 || std::memcmp(d, "MM\0*", 4) == 0)) return ImageFormat::Tiff;
    WebPBitstreamFeatures features;
    if (n >= 32 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0 &&
        WebPGetFeatures(d, 32, &features) == VP8_STATUS_OK)
        return ImageFormat::WebP;
    return ImageFormat::Unknown;
}

std::optional<std::string> unsupportedFeature(ImageFormat format, const uint8_t* d, size_t n) {
    if (format == ImageFormat::WebP) {
        WebPBitstreamFeatures features;
        if (WebPGetFeatures(d, n, &features) == VP8_STATUS_OK && features.has_animation)
            return "an animated WebP (aekit reads still images)";
    }
    if (format == ImageFormat::Tiff) {
        const auto kind = tiffSampleKind(d, n);
        if (kind && kind->first > 16) return "a TIFF of " + std::to_string(kind->first) + "-bit samples (8 or 16 bits only)";
        if (kind && kind->second == 3) return "a TIFF of floating-point samples (8- or 16-bit integers only)";
    }
    return std::nullopt;
}

uint64_t jpegScanCount(const uint8_t* d, size_t n) {
    uint64_t scans = 0;
    size_t pos = 2;
    while (pos + 3 < n) {
        if (d[pos] != 0xFF) {  // entropy-coded data: skip to the next marker (FF 00 is a stuffed byte, FF D0-D7 a restart)
            ++pos;
            continue;
        }
        const uint8_t marker = d[pos + 1];
        if (marker == 0x00 || marker == 0xFF || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            pos += marker == 0xFF ? 1 : 2;
            continue;
        }
        if (marker == 0xD9) break;  // end of image
        const size_t length = be16(d + pos + 2);
        if (marker == 0xDA) ++scans;
        pos += 2 + length;  // the segment; after a scan header the entropy-coded data follows
    }
    return scans;
}

bool pngHasTransparentColour(const uint8_t* d, size_t n) {
    if (n < 26 || (d[25] != 0 && d[25] != 2 && d[25] != 3)) return false;  // grey, RGB or palette only
    for (size_t pos = 8; pos + 8 <= n;) {  // chunks: length, type, data, CRC
        const uint32_t length = be32(d + pos);
        if (std::memcmp(d + pos + 4, "tRNS", 4) == 0) return d[25] != 3;  // OpenCV keeps a palette's alpha
        if (std::memcmp(d + pos + 4, "IDAT", 4) == 0 || length > n) return false;  // tRNS comes before the data
        pos += 12 + size_t(length);
    }
    return false;
}

bool pngIsAnimated(const uint8_t* d, size_t n) {
    for (size_t pos = 8; pos + 8 <= n;) {
        const uint32_t length = be32(d + pos);
        if (std::memcmp(d + pos + 4, "acTL", 4) == 0) return true;
        if (std::memcmp(d + pos + 4, "IDAT", 4) == 0 || length > n) return false;  // acTL comes before the data
        pos += 12 + size_t(length);
    }
    return false;
}

std::optional<DeclaredSize> declaredSize(ImageFormat format, const uint8_t* d, size_t n) {
    switch (format) {
        case ImageFormat::Png: return pngSize(d, n);
        case ImageFormat::Jpeg: return jpegSize(d, n);
        case ImageFormat::Bmp: return bmpSize(d, n);
        case ImageFormat::WebP: return webpSize(d, n);
        case ImageFormat::Tiff: {
            const auto wh = tiffDimensions(d, n);
            if (!wh) return std::nullopt;
            return DeclaredSize{wh->first, wh->second};
        }
        case ImageFormat::Unknown: break;
    }
    return std::nullopt;
}

}  // namespace aekit::io
