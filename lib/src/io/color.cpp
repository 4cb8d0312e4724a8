// Colour conversions through OpenCV's cvtColor on float data (sRGB companding, D65).
#include "aekit/color.hpp"

#include <opencv2/imgproc.hpp>

#include "aekit/error.hpp"

namespace aekit {

namespace {

cv::Mat interleave(const Image& im) {
    std::vector<cv::Mat> planes;
    for (int c = 0; c < im.channels; ++c)
        planes.emplace_back(im.height, im.width, CV_32F, const_cast<float*>(im.plane(c)));
    cv::Mat m;
    cv::merge(planes, m);
    return m;
}

Image deinterleave(const cv::Mat& m, const Image& like) {
    Image out = Image::blank(m.cols, m.rows, m.channels(), like.bitDepth);
    out.alpha = like.alpha;
    out.metadataSource = like.metadataSource;
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    for (int c = 0; c < out.channels; ++c) {
        cv::Mat p = planes[c].isContinuous() ? planes[c] : planes[c].clone();
        std::copy(p.ptr<float>(), p.ptr<float>() + out.planeSize(), out.plane(c));
    }
    return out;
}

void requireChannels(const Image& im, int channels, const char* what) {
    if (im.channels != channels)
        fail(ErrorKind::InvalidArgument, std::string(what) + ": needs " + std::to_string(channels) +
                                             " channels, image has " + std::to_string(im.channels));
}

}  // namespace

Image toGray(const Image& rgb) {
    requireChannels(rgb, 3, "toGray");
    cv::Mat gray;
    cv::cvtColor(interleave(rgb), gray, cv::COLOR_RGB2GRAY);
    return deinterleave(gray, rgb);
}

Image grayToRgb(const Image& gray) {
    requireChannels(gray, 1, "grayToRgb");
    Image out = Image::blank(gray.width, gray.height, 3, gray.bitDepth);
    out.alpha = gray.alpha;
    out.metadataSource = gray.metadataSource;
    for (int c = 0; c < 3; ++c) std::copy(gray.pixels.begin(), gray.pixels.end(), out.plane(c));
    return out;
}

Image rgbToLab(const Image& rgb) {
    requireChannels(rgb, 3, "rgbToLab");
    cv::Mat clipped = cv::min(cv::max(interleave(rgb), 0.0), 1.0), lab;
    cv::cvtColor(clipped, lab, cv::COLOR_RGB2Lab);
    return deinterleave(lab, rgb);
}

Image labToRgb(const Image& lab) {
    requireChannels(lab, 3, "labToRgb");
    cv::Mat rgb;
    cv::cvtColor(interleave(lab), rgb, cv::COLOR_Lab2RGB);
    rgb = cv::min(cv::max(rgb, 0.0), 1.0);
    return deinterleave(rgb, lab);
}

Image lightness(const Image& image) {
    Image L = Image::blank(image.width, image.height, 1, image.bitDepth);
    L.alpha = image.alpha;
    L.metadataSource = image.metadataSource;
    if (image.channels == 1) {
        // Gray is achromatic sRGB: L from the same companding as colour.
        const Image lab = rgbToLab(grayToRgb(image));
        std::copy(lab.plane(0), lab.plane(0) + lab.planeSize(), L.plane(0));
    } else {
        const Image lab = rgbToLab(image);
        std::copy(lab.plane(0), lab.plane(0) + lab.planeSize(), L.plane(0));
    }
    return L;
}

Image mergeLab(const Image& L, const Image& ab) {
    requireChannels(L, 1, "mergeLab L");
    requireChannels(ab, 2, "mergeLab ab");
    if (L.width != ab.width || L.height != ab.height) fail(ErrorKind::InvalidArgument, "mergeLab: L and ab sizes differ");
    Image lab = Image::blank(L.width, L.height, 3, L.bitDepth);
    lab.alpha = L.alpha;
    lab.metadataSource = L.metadataSource;
    std::copy(L.plane(0), L.plane(0) + L.planeSize(), lab.plane(0));
    std::copy(ab.pixels.begin(), ab.pixels.end(), lab.plane(1));
    return lab;
}

}  // namespace aekit
