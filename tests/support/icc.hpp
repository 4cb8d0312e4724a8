// SPDX-License-Identifier: Apache-2.0
// ICC profiles for the tests: a small valid profile made here, a PNG source that carries it
// (written with libpng itself), and readers of the profile embedded in each output format that
// go to each format's own library (libpng, libjpeg, libtiff, libwebpdemux), not through aekit or exiv2.
#pragma once
#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/demux.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace testutil {

// A version 2.1 display profile with a white point, a tone curve per channel and a copyright text
// naming `tag` (so that two profiles differ): what libpng's checks want (size, 'acsp', colour space
// matching the image, tag table inside the profile).
inline std::vector<uint8_t> makeIccProfile(bool grey, const std::string& tag = "aekit test profile") {
    std::vector<uint8_t> p(128, 0);
    auto put32 = [&](size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) p[at + size_t(i)] = uint8_t(v >> (24 - 8 * i));
    };
    auto sig = [](const char* s) { return uint32_t(uint8_t(s[0])) << 24 | uint32_t(uint8_t(s[1])) << 16 | uint32_t(uint8_t(s[2])) << 8 | uint8_t(s[3]); };
    put32(8, 0x02100000);
    put32(12, sig("mntr"));
    put32(16, sig(grey ? "GRAY" : "RGB "));
    put32(20, sig("XYZ "));
    put32(24, (2026u << 16) | 12u);
    put32(28, (2u << 16));
    put32(36, sig("acsp"));
    put32(68, 0x0000F6D6);  // D50 illuminant, s15Fixed16
    put32(72, 0x00010000);
    put32(76, 0x0000D32D);
    // Tag data: XYZ white point, a gamma-2.2 curve, a text.
    std::vector<uint8_t> xyz{'X', 'Y', 'Z', ' ', 0, 0, 0, 0, 0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D};
    std::vector<uint8_t> curve{'c', 'u', 'r', 'v', 0, 0, 0, 0, 0, 0, 0, 1, 0x02, 0x33, 0, 0};
    std::vector<uint8_t> text((8 + tag.size() + 1 + 3) / 4 * 4, 0);  // 'text', reserved, NUL-terminated, padded
    for (size_t i = 0; i < 4; ++i) text[i] = uint8_t("text"[i]);
    for (size_t i = 0; i < tag.size(); ++i) text[8 + i] = uint8_t(tag[i]);
    std::vector<std::pair<const char*, const std::vector<uint8_t>*>> tags{{"wtpt", &xyz}, {"cprt", &text}};
    if (grey) {
        tags.push_back({"kTRC", &curve});
    } else {
        for (const char* t : {"rTRC", "gTRC", "bTRC"}) tags.push_back({t, &curve});
    }
    const size_t table = 4 + 12 * tags.size();
    p.resize(128 + table, 0);
    put32(128, uint32_t(tags.size()));
    for (size_t i = 0; i < tags.size(); ++i) {
        const size_t offset = p.size();
        p.insert(p.end(), tags[i].second->begin(), tags[i].second->end());
        put32(132 + 12 * i, sig(tags[i].first));
        put32(136 + 12 * i, uint32_t(offset));
        put32(140 + 12 * i, uint32_t(tags[i].second->size()));
    }
    put32(0, uint32_t(p.size()));
    return p;
}

inline std::vector<uint8_t> fileBytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// An 8-bit RGB (or grey) PNG of w x h with a smooth pattern and the given profile, through libpng.
inline bool writePngWithProfile(const std::string& path, int w, int h, bool grey, const std::vector<uint8_t>& icc) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    const int channels = grey ? 1 : 3;
    std::vector<uint8_t> pixels(size_t(w) * h * channels);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t((i * 7) % 251);
    std::vector<png_bytep> rows;
    for (int y = 0; y < h; ++y) rows.push_back(pixels.data() + size_t(y) * w * channels);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        std::fclose(f);
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, uint32_t(w), uint32_t(h), 8, grey ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_iCCP(png, info, "test profile", PNG_COMPRESSION_TYPE_BASE, icc.data(), png_uint_32(icc.size()));
    png_write_info(png, info);
    png_write_image(png, rows.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    return true;
}

inline std::vector<uint8_t> pngProfile(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return {};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    std::vector<uint8_t> out;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        std::fclose(f);
        return {};
    }
    png_init_io(png, f);
    png_read_info(png, info);
    png_charp name = nullptr;
    int compression = 0;
    png_bytep data = nullptr;
    png_uint_32 size = 0;
    if (png_get_iCCP(png, info, &name, &compression, &data, &size) == PNG_INFO_iCCP) out.assign(data, data + size);
    png_destroy_read_struct(&png, &info, nullptr);
    std::fclose(f);
    return out;
}

inline std::vector<uint8_t> jpegProfile(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return {};
    struct Err {
        jpeg_error_mgr mgr;
        jmp_buf jump;
    } err;
    jpeg_decompress_struct cinfo;
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = [](j_common_ptr c) { longjmp(reinterpret_cast<Err*>(c->err)->jump, 1); };
    std::vector<uint8_t> out;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        std::fclose(f);
        return {};
    }
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    JOCTET* data = nullptr;
    unsigned int size = 0;
    if (jpeg_read_icc_profile(&cinfo, &data, &size)) {
        out.assign(data, data + size);
        std::free(data);
    }
    jpeg_destroy_decompress(&cinfo);
    std::fclose(f);
    return out;
}

inline std::vector<uint8_t> tiffProfile(const std::string& path) {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
    TIFF* t = TIFFOpen(path.c_str(), "r");
    if (!t) return {};
    uint32_t size = 0;
    void* data = nullptr;
    std::vector<uint8_t> out;
    if (TIFFGetField(t, TIFFTAG_ICCPROFILE, &size, &data) && data)
        out.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
    TIFFClose(t);
    return out;
}

inline std::vector<uint8_t> webpProfile(const std::string& path) {
    const std::vector<uint8_t> bytes = fileBytes(path);
    WebPData data{bytes.data(), bytes.size()};
    WebPDemuxer* demux = WebPDemux(&data);
    if (!demux) return {};
    std::vector<uint8_t> out;
    WebPChunkIterator it;
    if (WebPDemuxGetChunk(demux, "ICCP", 1, &it)) {
        out.assign(it.chunk.bytes, it.chunk.bytes + it.chunk.size);
        WebPDemuxReleaseChunkIterator(&it);
    }
    WebPDemuxDelete(demux);
    return out;
}

// The profile embedded in an image file, read by its format's own library (by extension).
inline std::vector<uint8_t> embeddedProfile(const std::string& path) {
    const std::string ext = path.substr(path.rfind('.'));
    if (ext == ".png") return pngProfile(path);
    if (ext == ".jpg" || ext == ".jpeg") return jpegProfile(path);
    if (ext == ".tif" || ext == ".tiff") return tiffProfile(path);
    if (ext == ".webp") return webpProfile(path);
    return {};
}

}  // namespace testutil
