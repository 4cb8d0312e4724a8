// SPDX-License-Identifier: Apache-2.0
// Image reading and writing through OpenCV (pixels) and exiv2 (size check, orientation, metadata).
#include <exiv2/exiv2.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "core/huge_pages.hpp"
#include "io/atomic_file.hpp"
#include "io/grey_alpha_codecs.hpp"
#include "io/icc_profile.hpp"
#include "io/image_header.hpp"
#include "io/library_messages.hpp"
#include "io/png_writer.hpp"

namespace aekit {

namespace fs = std::filesystem;

namespace {

void quietLibraries() {
    static std::once_flag once;
    std::call_once(once, [] {
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    });
}

std::string lowerExtension(const std::string& path) {
    std::string e = fs::path(path).extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return e;
}

constexpr uint64_t kMaxJpegScans = 100, kMaxJpegScanPixels = 2'000'000'000;

[[noreturn]] void badImage(const std::string& name, std::string what) {
    std::replace(what.begin(), what.end(), '\n', ' ');  // one line per problem, whatever a library said
    fail(ErrorKind::BadFile, name + ": " + what);
}

// EXIF orientation (1-8) applied so that pixels come out upright.
cv::Mat applyOrientation(const cv::Mat& m, long orientation) {
    cv::Mat out;
    switch (orientation) {
        case 2: cv::flip(m, out, 1); return out;
        case 3: cv::rotate(m, out, cv::ROTATE_180); return out;
        case 4: cv::flip(m, out, 0); return out;
        case 5: cv::transpose(m, out); return out;
        case 6: cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE); return out;
        case 7: {
            cv::Mat t;
            cv::transpose(m, t);
            cv::rotate(t, out, cv::ROTATE_180);
            return out;
        }
        case 8: cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
        default: return m;
    }
}

// True when the first three channels of every pixel are equal.
bool equalColourChannels(const cv::Mat& m) {
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    return cv::countNonZero(planes[0] != planes[1]) == 0 && cv::countNonZero(planes[1] != planes[2]) == 0;
}

}  // namespace

Image Image::blank(int width, int height, int channels, int bitDepth) {
    Image im;
    im.width = width;
    im.height = height;
    im.channels = channels;
    im.bitDepth = bitDepth;
    im.pixels.assign(size_t(width) * height * channels, 0.f);
    return im;
}

std::vector<std::string> imageExtensions() { return {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}; }

bool isImagePath(const std::string& path) {
    const auto exts = imageExtensions();
    return std::find(exts.begin(), exts.end(), lowerExtension(path)) != exts.end();
}

std::string imageFormatOf(const std::string& path) {
    const std::string ext = lowerExtension(path);
    return ext == ".jpeg" ? ".jpg" : ext == ".tiff" ? ".tif" : ext;
}

bool isLossyImagePath(const std::string& path) {
    const std::string ext = lowerExtension(path);
    return ext == ".jpg" || ext == ".jpeg" || ext == ".webp";
}

uint64_t declaredPixels(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return 0;  // a named pipe would block here, and lose what it gives
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> head(size_t(1) << 20);  // room for a JPEG's EXIF block before its frame header
    in.read(reinterpret_cast<char*>(head.data()), std::streamsize(head.size()));
    head.resize(size_t(std::max<std::streamsize>(0, in.gcount())));
    const auto size = io::declaredSize(io::formatOf(head.data(), head.size()), head.data(), head.size());
    return size ? size->width * size->height : 0;
}

Image decodeImage(const uint8_t* data, size_t size, const std::string& name, const ReadOptions& options) {
    quietLibraries();
    if (size == 0) badImage(name, "file is empty");
    // Only the five formats aekit reads reach OpenCV: its imdecode would otherwise try every decoder
    // it was built with (DICOM through gdcm among them, which aborts the process on some malformed
    // files: found by the image fuzzer).
    const io::ImageFormat format = io::formatOf(data, size);
    if (format == io::ImageFormat::Unknown) badImage(name, "not a PNG, JPEG, TIFF, BMP or WebP file (unknown signature)");
    // The declared size is checked before any decoder allocates for it (decompression bombs).
    const auto declared = io::declaredSize(format, data, size);
    if (!declared) badImage(name, "image header is unreadable (corrupt or truncated file?)");
    if (declared->width == 0 || declared->height == 0) badImage(name, "image has zero pixels");
    if (const auto feature = io::unsupportedFeature(format, data, size))
        fail(ErrorKind::Unsupported, name + ": " + *feature + "; not supported");
    if (format == io::ImageFormat::Png && io::pngHasTransparentColour(data, size) && options.notes)
        options.notes->push_back(name + ": its transparent colour (PNG tRNS) is not kept; the output is opaque");
    if (format == io::ImageFormat::Png && io::pngIsAnimated(data, size) && options.notes)
        options.notes->push_back(name + ": an animated PNG: only its first frame is read; the output is one still image");
    if (format == io::ImageFormat::Tiff && options.notes)
        if (const int pages = io::tiffPageCount(data, size); pages > 1)
            options.notes->push_back(name + ": a TIFF of " + std::to_string(pages) +
                                     " pages: only the first is read; the output is that page alone");
    if (declared->width * declared->height > options.maxPixels)
        badImage(name, std::to_string(declared->width) + "x" + std::to_string(declared->height) +
                           " pixels is over the limit of " + std::to_string(options.maxPixels) +
                           " (raise it with --max-pixels)");
    if (format == io::ImageFormat::Tiff)
        if (const auto strip = io::tiffStripSize(data, size); strip && uint64_t(strip->first) * strip->second > options.maxPixels)
            badImage(name, "its TIFF strips or tiles of " + std::to_string(strip->first) + "x" + std::to_string(strip->second) +
                               " pixels, which the decoder allocates whole, are over the limit of " +
                               std::to_string(options.maxPixels) + " (raise it with --max-pixels)");
    // exiv2 reads the orientation.
    long orientation = 1;
    try {
        auto meta = Exiv2::ImageFactory::open(data, static_cast<long>(size));
        meta->readMetadata();
        auto& exif = meta->exifData();
        auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
        if (it != exif.end() && it->count() > 0) orientation = it->toLong();
    } catch (const std::exception&) {
        // Not fatal: exiv2 does not know every variant; OpenCV gets the final word below. (exiv2
        // also throws plain std exceptions, e.g. std::overflow_error on a hostile WebP: the image
        // fuzzer found it.)
    }
    if (format == io::ImageFormat::Jpeg) {
        // libjpeg returns a grey-filled image for a truncated file with only a warning: refuse it.
        bool hasEnd = false;
        for (size_t i = size; i-- > 1 && size - i < (1u << 16);)
            if (data[i - 1] == 0xFF && data[i] == 0xD9) {
                hasEnd = true;
                break;
            }
        if (!hasEnd) badImage(name, "JPEG data ends early (truncated file?)");
        // A progressive JPEG is decoded once per scan: thousands of scans in a small file cost
        // minutes. Cameras and encoders write 1 to about 20.
        const uint64_t scans = io::jpegScanCount(data, size);
        const uint64_t pixels = declared->width * declared->height;
        if (scans > kMaxJpegScans || scans * pixels > kMaxJpegScanPixels)
            badImage(name, "JPEG has " + std::to_string(scans) + " scans of " + std::to_string(pixels) +
                               " pixels, over the decoding limit (" + std::to_string(kMaxJpegScans) + " scans, " +
                               std::to_string(kMaxJpegScanPixels / 1000000) + " million scan-pixels); refused");
    }
    std::optional<io::LibraryMessages> capture;
    if (options.captureLibraryMessages) capture.emplace();
    cv::Mat raw;
    std::string decodeError;
    try {
        if (format == io::ImageFormat::Tiff) raw = io::decodeGreyAlphaTiff(data, size);
        if (raw.empty())
            raw = cv::imdecode(cv::Mat(1, static_cast<int>(std::min<size_t>(size, INT32_MAX)), CV_8U, const_cast<uint8_t*>(data)),
                               cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        decodeError = e.what();
    }
    const std::string messages = capture ? capture->take() : std::string();
    const std::string said = messages.empty() ? "" : " (" + messages + ")";
    if (!decodeError.empty()) badImage(name, "cannot decode: " + decodeError + said);
    if (raw.empty()) badImage(name, "not a decodable PNG, JPEG, TIFF, BMP or WebP image (corrupt or truncated?)" + said);
    if (!messages.empty() && options.notes) options.notes->push_back(name + ": decoded with a warning: " + messages);
    if (raw.cols <= 0 || raw.rows <= 0) badImage(name, "image has zero pixels");
    if (uint64_t(raw.cols) * uint64_t(raw.rows) > options.maxPixels)
        badImage(name, std::to_string(raw.cols) + "x" + std::to_string(raw.rows) + " pixels is over the limit of " +
                           std::to_string(options.maxPixels));
    const int depth = raw.depth();
    if (depth != CV_8U && depth != CV_16U)
        fail(ErrorKind::Unsupported, name + ": sample type " + std::to_string(depth) +
                                         " is not supported (8- or 16-bit integer images only)");
    raw = applyOrientation(raw, orientation);

    Image im;
    im.width = raw.cols;
    im.height = raw.rows;
    im.bitDepth = depth == CV_16U ? 16 : 8;
    const int cn = raw.channels();
    // OpenCV expands grey+alpha PNGs (colour type 4) to BGRA; they are grey, and stay grey. WebP has
    // no grey mode: equal colour channels everywhere mean grey (what aekit writes for a grey image).
    const bool grayAlphaPng = cn == 4 && format == io::ImageFormat::Png && size > 25 && data[25] == 4;
    const bool greyInColour = cn >= 3 && format == io::ImageFormat::WebP && equalColourChannels(raw);
    im.channels = cn <= 2 || grayAlphaPng || greyInColour ? 1 : 3;
    const bool hasAlpha = cn == 2 || cn == 4;
    core::assignOnHugePages(im.pixels, size_t(im.channels) * im.planeSize());
    if (hasAlpha) im.alpha.resize(size_t(im.planeSize()));
    // One pass from the decoder's interleaved samples (OpenCV's BGR(A)) to aekit's planar RGB floats,
    // through a table of every sample value: value / levels divided exactly (not multiplied by
    // 1/levels), so that it round-trips bit for bit.
    auto toPlanes = [&](auto sample) {
        using T = decltype(sample);
        const double levels = sizeof(T) == 2 ? 65535.0 : 255.0;
        std::vector<float> table(size_t(1) << (8 * sizeof(T)));
        for (size_t v = 0; v < table.size(); ++v) table[v] = static_cast<float>(double(v) / levels);
        const int from[3] = {im.channels == 3 ? 2 : 0, 1, 0};  // raw channel of each plane
        for (int y = 0; y < im.height; ++y) {
            const T* row = raw.ptr<T>(y);
            for (int c = 0; c < im.channels; ++c) {
                float* dst = im.plane(c) + int64_t(y) * im.width;
                const T* s = row + from[c];
                for (int x = 0; x < im.width; ++x) dst[x] = table[s[int64_t(x) * cn]];
            }
            if (hasAlpha) {
                uint16_t* a = im.alpha.data() + int64_t(y) * im.width;
                for (int x = 0; x < im.width; ++x) a[x] = row[int64_t(x) * cn + cn - 1];
            }
        }
    };
    if (depth == CV_16U) toPlanes(uint16_t{});
    else toPlanes(uint8_t{});
    return im;
}

Image readImage(const std::string& path, const ReadOptions& options) {
    std::error_code ec;
    if (!fs::exists(path, ec)) fail(ErrorKind::Io, path + ": no such file");
    if (fs::is_directory(path, ec)) fail(ErrorKind::Io, path + ": is a folder, not an image");
    const auto bytes = io::readFile(path, options.maxFileBytes);
    Image im = decodeImage(bytes.data(), bytes.size(), path, options);
    im.metadataSource = path;
    return im;
}

void quantize(Image& image) {
    const double levels = image.bitDepth == 16 ? 65535.0 : 255.0;
    for (float& v : image.pixels) v = static_cast<float>(std::round(std::clamp(double(v), 0.0, 1.0) * levels) / levels);
}

namespace {

// The samples an encoder takes, interleaved at the output depth: BGR(A) for OpenCV, or with
// forcedChannels 2 grey+alpha; grey with alpha and forcedChannels 0 becomes BGRA with equal colours.
// Converted a strip of rows at a time: no full-size float or per-plane copies.
cv::Mat interleavedSamples(const Image& image, int bits, bool withAlpha, int forcedChannels) {
    const int depth = bits == 16 ? CV_16U : CV_8U;
    const double levels = bits == 16 ? 65535.0 : 255.0;
    std::vector<int> colour;  // planes in the encoder's order
    if (image.channels == 3) colour = {2, 1, 0};
    else colour = (withAlpha && forcedChannels != 2) ? std::vector<int>{0, 0, 0} : std::vector<int>{0};
    const int cn = int(colour.size()) + (withAlpha ? 1 : 0);
    cv::Mat out(image.height, image.width, CV_MAKETYPE(depth, cn));
    // Alpha is untouched unless the output depth differs from the input's.
    const double alphaScale = bits == image.bitDepth ? 1.0 : (bits == 8 ? 255.0 / 65535.0 : 65535.0 / 255.0);
    constexpr int kStrip = 64;
    for (int y0 = 0; y0 < image.height; y0 += kStrip) {
        const int rows = std::min(kStrip, image.height - y0);
        std::vector<cv::Mat> planes;
        for (int c : colour) {
            cv::Mat f(rows, image.width, CV_32F, const_cast<float*>(image.plane(c)) + int64_t(y0) * image.width), q;
            f.convertTo(q, depth, levels);  // saturating (clips to [0,1], NaN to 0) and rounding
            planes.push_back(q);
        }
        if (withAlpha) {
            cv::Mat a(rows, image.width, CV_16U, const_cast<uint16_t*>(image.alpha.data()) + int64_t(y0) * image.width), q;
            a.convertTo(q, depth, alphaScale);
            planes.push_back(q);
        }
        cv::Mat strip = out.rowRange(y0, y0 + rows);
        cv::merge(planes, strip);
    }
    return out;
}

}  // namespace

namespace {

// What an output copies from its input's file, read once (exiv2).
struct SourceMetadata {
    bool read = false;
    std::string error;  // why it could not be read
    Exiv2::ExifData exif;
    Exiv2::IptcData iptc;
    Exiv2::XmpData xmp;
    std::vector<uint8_t> icc;
};

SourceMetadata readSourceMetadata(const std::string& source) {
    SourceMetadata m;
    if (source.empty()) return m;
    try {
        auto src = Exiv2::ImageFactory::open(source);
        src->readMetadata();
        m.exif = src->exifData();
        m.iptc = src->iptcData();
        m.xmp = src->xmpData();
        if (src->iccProfileDefined()) {
            const Exiv2::DataBuf& buf = *src->iccProfile();
            m.icc.assign(buf.pData_, buf.pData_ + buf.size_);
        }
        m.read = true;
    } catch (const std::exception& e) {  // Exiv2::AnyError, or a std exception from inside exiv2
        m.error = e.what();
    }
    return m;
}

// The input's profile, when the output can carry it: none for BMP, none (with a note) for a profile
// of another colour space (a grey scan's GRAY profile on a colorized RGB output).
std::vector<uint8_t> profileToCopy(const std::string& path, const std::string& ext, const Image& image,
                                   const std::vector<uint8_t>& icc, std::vector<std::string>& notes) {
    if (icc.empty()) return {};
    if (ext == ".bmp") {
        notes.push_back(path + ": .bmp cannot hold the input's ICC profile; not copied (use .png or .tif)");
        return {};
    }
    if (!io::iccFits(icc, image.channels)) {
        notes.push_back(path + ": the input's ICC profile describes '" + io::iccColourSpace(icc) + "', not this " +
                        (image.channels == 3 ? "colour" : "grey") + " output; not copied");
        return {};
    }
    return icc;
}

// The encoded file: what writeImage writes before metadata, and encodeImage returns. `name` is
// for messages; icc goes in with the pixels for PNG (libpng), else it is the caller's to add.
std::vector<uint8_t> encode(const std::string& name, const std::string& ext, const Image& image, const WriteOptions& options,
                            const std::vector<uint8_t>& icc, std::vector<std::string>& notes) {
    if (!isImagePath("x" + ext))
        fail(ErrorKind::InvalidArgument, name + ": unknown output format '" + ext + "' (png, jpg, tif, bmp, webp)");
    if (image.width <= 0 || image.height <= 0 || (image.channels != 1 && image.channels != 3) ||
        image.pixels.size() != size_t(image.channels) * image.planeSize())
        fail(ErrorKind::Internal, name + ": image to write is malformed");
    if (options.quality < 0 || options.quality > 100) fail(ErrorKind::InvalidArgument, "quality: 1 to 100, or 0 for the default");
    const bool deep = ext == ".png" || ext == ".tif" || ext == ".tiff";
    const bool alphaOk = ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".webp";
    int bits = image.bitDepth;
    if (bits == 16 && !deep) {
        bits = 8;
        notes.push_back(name + ": " + ext + " holds 8 bits per sample; written at 8 bits (use .png or .tif to keep 16)");
    }
    const bool withAlpha = !image.alpha.empty() && alphaOk;
    if (!image.alpha.empty() && !alphaOk)
        notes.push_back(name + ": " + ext + " cannot hold transparency; the alpha channel was dropped");

    // libpng writes grey+alpha (OpenCV writes only RGBA) and any PNG with a profile; libtiff
    // grey+alpha TIFF. WebP has no grey mode, so it gets equal colour channels, which the reader
    // takes for grey again.
    const bool greyAlpha = withAlpha && image.channels == 1 && ext != ".webp";
    const cv::Mat samples = interleavedSamples(image, bits, withAlpha, greyAlpha ? 2 : 0);
    std::vector<uint8_t> encoded;
    if (ext == ".png" && (greyAlpha || !icc.empty())) {
        try {
            encoded = io::encodePng(samples, 3, icc);
        } catch (const Error& e) {
            fail(ErrorKind::Io, name + ": " + e.what());
        }
    } else if (greyAlpha) {
        try {
            encoded = io::encodeGreyAlphaTiff(samples);
        } catch (const Error& e) {
            fail(ErrorKind::Io, name + ": " + e.what());
        }
    } else {
        std::vector<int> params;
        if (ext == ".jpg" || ext == ".jpeg") params = {cv::IMWRITE_JPEG_QUALITY, options.quality ? options.quality : 95};
        if (ext == ".webp") params = {cv::IMWRITE_WEBP_QUALITY, options.quality ? options.quality : 101};  // above 100: lossless
        if (ext == ".png") params = {cv::IMWRITE_PNG_COMPRESSION, 3};
        bool ok = false;
        try {
            ok = cv::imencode(ext, samples, encoded, params);
        } catch (const cv::Exception& e) {
            fail(ErrorKind::Io, name + ": cannot encode: " + e.what());
        }
        if (!ok) fail(ErrorKind::Io, name + ": OpenCV could not encode " + ext);
    }
    return encoded;
}

}  // namespace

std::vector<uint8_t> encodeImage(const Image& image, const std::string& format, const WriteOptions& options,
                                 std::vector<std::string>* notes) {
    quietLibraries();
    std::string ext = format;
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!ext.empty() && ext[0] != '.') ext = "." + ext;
    std::vector<std::string> own;
    return encode(format, ext, image, options, {}, notes ? *notes : own);
}

std::vector<std::string> writeImage(const std::string& path, const Image& image, const WriteOptions& options) {
    quietLibraries();
    std::vector<std::string> notes;
    const std::string ext = lowerExtension(path);
    if (!isImagePath(path))
        fail(ErrorKind::InvalidArgument, path + ": unknown output format '" + ext + "' (png, jpg, tif, bmp, webp)");
    const SourceMetadata source = readSourceMetadata(image.metadataSource);
    const std::vector<uint8_t> icc = profileToCopy(path, ext, image, source.icc, notes);
    const std::vector<uint8_t> encoded = encode(path, ext, image, options, icc, notes);
    // EXIF, IPTC and XMP through exiv2; the profile where exiv2 writes it right (JPEG's APP2, TIFF's
    // tag). PNG has it from libpng already (exiv2 reads and keeps that chunk); WebP gets it last,
    // through libwebpmux.
    // A source with nothing exiv2 would copy skips it: exiv2 rewrites the whole file (0.6 s for a
    // 24-megapixel PNG).
    const bool nothingForExiv2 = source.read && source.exif.empty() && source.iptc.empty() && source.xmp.empty() &&
                                 (icc.empty() || ext == ".png" || ext == ".webp");
    auto copyMetadata = [&](const std::string& tmp) {
        if (image.metadataSource.empty() || ext == ".bmp") return;
        if (!nothingForExiv2) {
            try {
                if (!source.read) throw std::runtime_error(source.error);
                auto dst = Exiv2::ImageFactory::open(tmp);
                dst->readMetadata();
                Exiv2::ExifData exif = source.exif;
                // The output is one image: a multi-page TIFF's other pages (exiv2's Thumbnail for the
                // second directory, then Image2, Image3, SubImage1...) would be written as directories
                // whose strips are not there; an embedded thumbnail would show the input, not the output.
                for (auto e = exif.begin(); e != exif.end();) {
                    const std::string group = e->groupName();
                    const bool otherPage = (group.rfind("Image", 0) == 0 && group.size() > 5) || group.rfind("SubImage", 0) == 0 ||
                                           group.rfind("SubThumb", 0) == 0 || group == "Thumbnail";
                    e = otherPage ? exif.erase(e) : std::next(e);
                }
                auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
                if (it != exif.end()) it->setValue("1");  // the pixels are upright now
                dst->setExifData(exif);
                dst->setIptcData(source.iptc);
                dst->setXmpData(source.xmp);
                if (!icc.empty() && ext != ".png" && ext != ".webp") {
                    Exiv2::DataBuf profile(icc.data(), long(icc.size()));
                    dst->setIccProfile(profile, true);
                }
                dst->writeMetadata();
            } catch (const std::exception& e) {  // Exiv2::AnyError, or a std exception from inside exiv2
                notes.push_back(path + ": metadata not copied (" + std::string(e.what()) + ")");
            }
        }
        if (ext == ".webp" && !icc.empty()) {
            const std::vector<uint8_t> bytes = io::withWebpProfile(io::readFile(tmp, ~0ull), icc);
            std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
            f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
            if (!f.flush()) fail(ErrorKind::Io, path + ": cannot write the ICC profile");
        }
    };
    io::writeFileAtomically(path, encoded.data(), encoded.size(), copyMetadata);
    return notes;
}

Image resizeImage(const Image& image, int width, int height) {
    Image out = Image::blank(width, height, image.channels, image.bitDepth);
    out.metadataSource = image.metadataSource;
    // Shrinking averages the pixels each output pixel covers (no aliasing); enlarging is bilinear.
    const int interpolation = width <= image.width && height <= image.height ? cv::INTER_AREA : cv::INTER_LINEAR;
    for (int c = 0; c < image.channels; ++c) {
        cv::Mat src(image.height, image.width, CV_32F, const_cast<float*>(image.plane(c)));
        cv::Mat dst(height, width, CV_32F, out.plane(c));
        cv::resize(src, dst, dst.size(), 0, 0, interpolation);
    }
    return out;
}

}  // namespace aekit
