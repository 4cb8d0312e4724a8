// SPDX-License-Identifier: Apache-2.0
// Grey+alpha TIFF encoder and decoder, TIFF header readers (see grey_alpha_codecs.hpp).
#include "io/grey_alpha_codecs.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "aekit/error.hpp"

namespace aekit::io {

namespace {

// libtiff on memory: reading a caller's bytes in place, or writing into a growing buffer.
struct TiffBuffer {
    std::vector<uint8_t> bytes;         // written
    const uint8_t* view = nullptr;      // read (not owned)
    size_t viewSize = 0;
    toff_t position = 0;
    size_t size() const { return view ? viewSize : bytes.size(); }
    const uint8_t* data() const { return view ? view : bytes.data(); }
};
tsize_t tiffRead(thandle_t h, tdata_t data, tsize_t size) {
    auto* b = static_cast<TiffBuffer*>(h);
    const auto n = std::min<tsize_t>(size, b->position < b->size() ? tsize_t(b->size() - b->position) : 0);
    if (n > 0) std::memcpy(data, b->data() + b->position, size_t(n));
    b->position += toff_t(n);
    return n;
}
tsize_t tiffWrite(thandle_t h, tdata_t data, tsize_t size) {
    auto* b = static_cast<TiffBuffer*>(h);
    if (b->view) return 0;
    if (b->position + size_t(size) > b->bytes.size()) b->bytes.resize(b->position + size_t(size));
    std::memcpy(b->bytes.data() + b->position, data, size_t(size));
    b->position += toff_t(size);
    return size;
}
toff_t tiffSeek(thandle_t h, toff_t offset, int whence) {
    auto* b = static_cast<TiffBuffer*>(h);
    if (whence == SEEK_SET) b->position = offset;
    if (whence == SEEK_CUR) b->position += offset;
    if (whence == SEEK_END) b->position = b->size() + offset;
    return b->position;
}
int tiffClose(thandle_t) { return 0; }
toff_t tiffSize(thandle_t h) { return static_cast<TiffBuffer*>(h)->size(); }
int tiffMap(thandle_t, tdata_t*, toff_t*) { return 0; }
void tiffUnmap(thandle_t, tdata_t, toff_t) {}

// aekit reports failures itself, in one line naming the file.
void quietTiff() {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
}

void requireGreyAlpha(const cv::Mat& m) {
    if (m.channels() != 2 || (m.depth() != CV_8U && m.depth() != CV_16U) || !m.isContinuous())
        fail(ErrorKind::Internal, "grey+alpha encoder: needs continuous 8- or 16-bit two-channel samples");
}

}  // namespace

std::vector<uint8_t> encodeGreyAlphaTiff(const cv::Mat& greyAlpha) {
    requireGreyAlpha(greyAlpha);
    quietTiff();
    TiffBuffer buffer;
    TIFF* tif = TIFFClientOpen("memory", "w", &buffer, tiffRead, tiffWrite, tiffSeek, tiffClose, tiffSize, tiffMap,
                               tiffUnmap);
    if (!tif) fail(ErrorKind::Io, "libtiff could not start an image");
    const uint16_t bits = greyAlpha.depth() == CV_16U ? 16 : 8;
    const uint16_t extra[1] = {EXTRASAMPLE_UNASSALPHA};
    bool ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(greyAlpha.cols)) &&
              TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(greyAlpha.rows)) &&
              TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, uint16_t(2)) && TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits) &&
              TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, uint16_t(PHOTOMETRIC_MINISBLACK)) &&
              TIFFSetField(tif, TIFFTAG_PLANARCONFIG, uint16_t(PLANARCONFIG_CONTIG)) &&
              TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, uint16_t(1), extra) &&
              TIFFSetField(tif, TIFFTAG_COMPRESSION, uint16_t(COMPRESSION_LZW)) &&
              TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
    for (int y = 0; ok && y < greyAlpha.rows; ++y)
        ok = TIFFWriteScanline(tif, const_cast<uint8_t*>(greyAlpha.ptr<uint8_t>(y)), uint32_t(y), 0) >= 0;
    TIFFClose(tif);
    if (!ok) fail(ErrorKind::Io, "libtiff could not encode the image");
    return std::move(buffer.bytes);
}

namespace {
TIFF* openTiffForReading(TiffBuffer& buffer, const uint8_t* data, size_t size) {
    quietTiff();
    buffer.view = data;
    buffer.viewSize = size;
    return TIFFClientOpen("memory", "r", &buffer, tiffRead, tiffWrite, tiffSeek, tiffClose, tiffSize, tiffMap,
                          tiffUnmap);
}
}  // namespace

std::optional<std::pair<uint32_t, uint32_t>> tiffDimensions(const uint8_t* data, size_t size) {
    TiffBuffer buffer;
    TIFF* tif = openTiffForReading(buffer, data, size);
    if (!tif) return std::nullopt;
    uint32_t width = 0, height = 0;
    const bool known = TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) && TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFClose(tif);
    if (!known) return std::nullopt;
    return std::make_pair(width, height);
}

int tiffPageCount(const uint8_t* data, size_t size) {
    TiffBuffer buffer;
    TIFF* tif = openTiffForReading(buffer, data, size);
    if (!tif) return 0;
    const int pages = int(TIFFNumberOfDirectories(tif));  // libtiff stops at a loop of directories
    TIFFClose(tif);
    return pages;
}

std::optional<std::pair<uint32_t, uint32_t>> tiffStripSize(const uint8_t* data, size_t size) {
    TiffBuffer buffer;
    TIFF* tif = openTiffForReading(buffer, data, size);
    if (!tif) return std::nullopt;
    uint32_t width = 0, height = 0, rows = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    if (TIFFIsTiled(tif)) {
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &width);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &rows);
    } else {
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows);
        if (rows == 0 || rows == UINT32_MAX) rows = height;  // one strip: the decoder reads the image's rows
    }
    TIFFClose(tif);
    return std::make_pair(width, rows);
}

std::optional<std::pair<uint16_t, uint16_t>> tiffSampleKind(const uint8_t* data, size_t size) {
    TiffBuffer buffer;
    TIFF* tif = openTiffForReading(buffer, data, size);
    if (!tif) return std::nullopt;
    uint16_t bits = 0, format = SAMPLEFORMAT_UINT;
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFClose(tif);
    return std::make_pair(bits, format);
}

cv::Mat decodeGreyAlphaTiff(const uint8_t* data, size_t size) {
    TiffBuffer buffer;
    TIFF* tif = openTiffForReading(buffer, data, size);
    if (!tif) return {};
    uint32_t width = 0, height = 0;
    uint16_t samples = 0, bits = 0, photometric = 0, planar = PLANARCONFIG_CONTIG;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    cv::Mat out;
    const bool greyAlpha = samples == 2 && (bits == 8 || bits == 16) && planar == PLANARCONFIG_CONTIG &&
                           (photometric == PHOTOMETRIC_MINISBLACK) && width > 0 && height > 0 &&
                           width <= INT32_MAX / 4 && height <= INT32_MAX / 4 &&
                           TIFFScanlineSize(tif) == tmsize_t(width) * 2 * (bits / 8);
    if (greyAlpha) {
        out.create(int(height), int(width), bits == 16 ? CV_16UC2 : CV_8UC2);
        for (uint32_t y = 0; y < height; ++y)
            if (TIFFReadScanline(tif, out.ptr<uint8_t>(int(y)), y, 0) < 0) {
                out.release();
                break;
            }
    }
    TIFFClose(tif);
    return out;
}

}  // namespace aekit::io
