// SPDX-License-Identifier: Apache-2.0
// PNG encoder through libpng (see png_writer.hpp).
#include "io/png_writer.hpp"

#include <png.h>

#include <csetjmp>

#include "aekit/error.hpp"

namespace aekit::io {

namespace {

void append(png_structp png, png_bytep data, png_size_t size) {
    auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
    out->insert(out->end(), data, data + size);
}

// libpng reports errors by longjmp; no C++ object with a destructor lives between setjmp and the
// calls that may jump (the rows, the profile and the output vector belong to the caller).
bool write(const cv::Mat& m, int level, const std::vector<uint8_t>* icc, std::vector<uint8_t>* out,
           std::vector<png_bytep>* rows) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    if (!png) return false;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : nullptr);
        return false;
    }
    static const int kColourType[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                       PNG_COLOR_TYPE_RGB_ALPHA};
    png_set_write_fn(png, out, append, nullptr);
    png_set_compression_level(png, level);
    png_set_IHDR(png, info, png_uint_32(m.cols), png_uint_32(m.rows), m.depth() == CV_16U ? 16 : 8,
                 kColourType[m.channels()], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!icc->empty())
        png_set_iCCP(png, info, "ICC profile", PNG_COMPRESSION_TYPE_BASE, icc->data(), png_uint_32(icc->size()));
    png_write_info(png, info);
    if (m.channels() >= 3) png_set_bgr(png);
    if (m.depth() == CV_16U) png_set_swap(png);  // PNG stores 16-bit samples big-endian
    png_write_image(png, rows->data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

}  // namespace

std::vector<uint8_t> encodePng(const cv::Mat& samples, int compressionLevel, const std::vector<uint8_t>& icc) {
    if (samples.channels() < 1 || samples.channels() > 4 || (samples.depth() != CV_8U && samples.depth() != CV_16U) ||
        !samples.isContinuous())
        fail(ErrorKind::Internal, "PNG encoder: needs continuous 8- or 16-bit samples of 1 to 4 channels");
    std::vector<png_bytep> rows;
    for (int y = 0; y < samples.rows; ++y) rows.push_back(const_cast<png_bytep>(samples.ptr<uint8_t>(y)));
    std::vector<uint8_t> out;
    if (!write(samples, compressionLevel, &icc, &out, &rows)) fail(ErrorKind::Io, "libpng could not encode the image");
    return out;
}

}  // namespace aekit::io
