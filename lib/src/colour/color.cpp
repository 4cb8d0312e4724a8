// SPDX-License-Identifier: Apache-2.0
// Colour conversions through OpenCV's cvtColor on float data (sRGB companding, D65). Every full-size
// conversion runs a strip of rows at a time, so a 24-megapixel image needs only its own planes and
// a few megabytes of interleaved scratch, not several interleaved copies of itself.
#include "aekit/color.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/edge_filter.hpp>

#include "aekit/error.hpp"

namespace aekit {

namespace {

constexpr int kStripRows = 64;

// Headers onto rows [y0, y1) of each plane (no copies).
std::vector<cv::Mat> planeRows(const Image& im, int first, int count, int y0, int y1) {
    std::vector<cv::Mat> rows;
    for (int c = first; c < first + count; ++c)
        rows.emplace_back(y1 - y0, im.width, CV_32F, const_cast<float*>(im.plane(c)) + int64_t(y0) * im.width);
    return rows;
}

// Calls convert(y0, y1) for consecutive strips covering the image's rows.
void forEachStrip(int height, const std::function<void(int, int)>& convert) {
    for (int y0 = 0; y0 < height; y0 += kStripRows) convert(y0, std::min(height, y0 + kStripRows));
}

Image like(const Image& im, int channels) {
    Image out = Image::blank(im.width, im.height, channels, im.bitDepth);
    out.alpha = im.alpha;
    out.metadataSource = im.metadataSource;
    return out;
}

// out's planes [0, outPlanes) = cvtColor(in's planes [0, inPlanes)), strip by strip.
void convertPlanes(const Image& in, int inPlanes, Image& out, int outPlanes, int code, bool clipIn, bool clipOut) {
    forEachStrip(in.height, [&](int y0, int y1) {
        cv::Mat src, dst;
        cv::merge(planeRows(in, 0, inPlanes, y0, y1), src);
        if (clipIn) src = cv::min(cv::max(src, 0.0), 1.0);
        cv::cvtColor(src, dst, code);
        if (clipOut) dst = cv::min(cv::max(dst, 0.0), 1.0);
        std::vector<cv::Mat> all;
        cv::split(dst, all);
        for (int c = 0; c < outPlanes; ++c) all[c].copyTo(planeRows(out, c, 1, y0, y1)[0]);
    });
}

void requireChannels(const Image& im, int channels, const char* what) {
    if (im.channels != channels)
        fail(ErrorKind::InvalidArgument, std::string(what) + ": needs " + std::to_string(channels) +
                                             " channels, image has " + std::to_string(im.channels));
}

}  // namespace

Image toGray(const Image& rgb) {
    requireChannels(rgb, 3, "toGray");
    Image out = like(rgb, 1);
    convertPlanes(rgb, 3, out, 1, cv::COLOR_RGB2GRAY, false, false);
    return out;
}

Image grayToRgb(const Image& gray) {
    requireChannels(gray, 1, "grayToRgb");
    Image out = like(gray, 3);
    for (int c = 0; c < 3; ++c) std::copy(gray.pixels.begin(), gray.pixels.end(), out.plane(c));
    return out;
}

Image rgbToLab(const Image& rgb) {
    requireChannels(rgb, 3, "rgbToLab");
    Image out = like(rgb, 3);
    convertPlanes(rgb, 3, out, 3, cv::COLOR_RGB2Lab, true, false);
    return out;
}

Image labToRgb(const Image& lab) {
    requireChannels(lab, 3, "labToRgb");
    Image out = like(lab, 3);
    convertPlanes(lab, 3, out, 3, cv::COLOR_Lab2RGB, false, true);
    return out;
}

Image lightness(const Image& image) {
    if (image.channels != 1) requireChannels(image, 3, "lightness");
    Image L = like(image, 1);
    // Gray is achromatic sRGB: L from the same companding as colour, via three equal planes per strip.
    const int planes[3] = {0, image.channels == 1 ? 0 : 1, image.channels == 1 ? 0 : 2};
    forEachStrip(image.height, [&](int y0, int y1) {
        std::vector<cv::Mat> rgb;
        for (int c : planes) rgb.push_back(planeRows(image, c, 1, y0, y1)[0]);
        cv::Mat src, lab;
        cv::merge(rgb, src);
        cv::cvtColor(cv::min(cv::max(src, 0.0), 1.0), lab, cv::COLOR_RGB2Lab);
        cv::extractChannel(lab, planeRows(L, 0, 1, y0, y1)[0], 0);
    });
    return L;
}

Image mergeLab(const Image& L, const Image& ab) {
    requireChannels(L, 1, "mergeLab L");
    requireChannels(ab, 2, "mergeLab ab");
    if (L.width != ab.width || L.height != ab.height) fail(ErrorKind::InvalidArgument, "mergeLab: L and ab sizes differ");
    Image lab = like(L, 3);
    std::copy(L.plane(0), L.plane(0) + L.planeSize(), lab.plane(0));
    std::copy(ab.pixels.begin(), ab.pixels.end(), lab.plane(1));
    return lab;
}

namespace {

// The guided filter's regularisation, in (L / 100)^2: local L variations below about 3 L units (paper
// grain, sensor noise) are smoothed over; edges above it steer the colour.
constexpr double kGuideEps = 1e-3;

// Rows [r0, r1) of ab's planes upsampled bilinearly to L's width, as cv::resize maps pixel centres.
std::vector<cv::Mat> upsampledRows(const Image& ab, int width, int height, int r0, int r1) {
    const float sx = float(ab.width) / width, sy = float(ab.height) / height;
    // cv::remap writes at most SHRT_MAX columns: a wider image is done in column blocks.
    constexpr int kBlock = 16384;
    std::vector<cv::Mat> out(2);
    for (auto& o : out) o.create(r1 - r0, width, CV_32F);
    const std::vector<cv::Mat> planes = planeRows(ab, 0, 2, 0, ab.height);
    for (int x0 = 0; x0 < width; x0 += kBlock) {
        const int x1 = std::min(width, x0 + kBlock);
        cv::Mat mx(r1 - r0, x1 - x0, CV_32F), my(r1 - r0, x1 - x0, CV_32F);
        for (int y = r0; y < r1; ++y)
            for (int x = x0; x < x1; ++x) {
                mx.at<float>(y - r0, x - x0) = (x + 0.5f) * sx - 0.5f;
                my.at<float>(y - r0, x - x0) = (y + 0.5f) * sy - 0.5f;
            }
        for (size_t c = 0; c < 2; ++c) {
            cv::Mat dst = out[c].colRange(x0, x1);
            cv::remap(planes[c], dst, mx, my, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        }
    }
    return out;
}

}  // namespace

Image labToRgb(const Image& L, const Image& ab, bool guided) {
    requireChannels(L, 1, "labToRgb L");
    requireChannels(ab, 2, "labToRgb ab");
    Image out = like(L, 3);
    const bool sameSize = L.width == ab.width && L.height == ab.height;
    // Edge-guided upsampling: ab bilinear at full resolution, then a guided filter (He et al.) with
    // the full-resolution L as the guide, so that colour stops at L's edges instead of spreading a
    // working-resolution pixel across them. Its radius covers one working pixel and its neighbours.
    // Strip by strip with a margin of the filter's support (twice the radius), so that every strip's
    // rows are what one pass over the whole image gives.
    const double scale = std::max(double(L.width) / ab.width, double(L.height) / ab.height);
    const int radius = std::max(2, int(std::ceil(2 * scale)));
    const int margin = sameSize || !guided ? 0 : 2 * radius;
    const int strip = std::max(kStripRows, 4 * margin);
    for (int y0 = 0; y0 < L.height; y0 += strip) {
        const int y1 = std::min(L.height, y0 + strip);
        std::vector<cv::Mat> lab{planeRows(L, 0, 1, y0, y1)[0]};
        if (sameSize) {
            for (cv::Mat& m : planeRows(ab, 0, 2, y0, y1)) lab.push_back(m);
        } else {
            const int r0 = std::max(0, y0 - margin), r1 = std::min(L.height, y1 + margin);
            cv::Mat guide;
            if (guided) planeRows(L, 0, 1, r0, r1)[0].convertTo(guide, CV_32F, 1.0 / 100);
            for (cv::Mat& up : upsampledRows(ab, L.width, L.height, r0, r1)) {
                if (guided) cv::ximgproc::guidedFilter(guide, up, up, radius, kGuideEps);
                lab.push_back(up.rowRange(y0 - r0, y1 - r0));
            }
        }
        cv::Mat src, rgb;
        cv::merge(lab, src);
        cv::cvtColor(src, rgb, cv::COLOR_Lab2RGB);
        rgb = cv::min(cv::max(rgb, 0.0), 1.0);
        std::vector<cv::Mat> all;
        cv::split(rgb, all);
        for (int c = 0; c < 3; ++c) all[c].copyTo(planeRows(out, c, 1, y0, y1)[0]);
    }
    return out;
}

}  // namespace aekit
