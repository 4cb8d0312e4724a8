// SPDX-License-Identifier: Apache-2.0
// PSNR, SSIM, colourfulness and chroma error at edges (see aekit/metrics.hpp). SSIM's local statistics use OpenCV's
// separable Gaussian filter; the rest are plain sums in double.
#include "aekit/metrics.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

#include "aekit/color.hpp"
#include "aekit/error.hpp"

namespace aekit {

namespace {
void requireSameShape(const Image& a, const Image& b) {
    if (a.width != b.width || a.height != b.height || a.channels != b.channels)
        fail(ErrorKind::InvalidArgument, "images differ in size or channels (" + std::to_string(a.width) + "x" +
                                             std::to_string(a.height) + "x" + std::to_string(a.channels) + " vs " +
                                             std::to_string(b.width) + "x" + std::to_string(b.height) + "x" +
                                             std::to_string(b.channels) + ")");
}
}  // namespace

double mse(const Image& a, const Image& b) {
    requireSameShape(a, b);
    double s = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        const double d = double(a.pixels[i]) - b.pixels[i];
        s += d * d;
    }
    return s / double(a.pixels.size());
}

double psnr(const Image& a, const Image& b) {
    const double m = mse(a, b);
    return m <= 0 ? INFINITY : 10.0 * std::log10(1.0 / m);
}

namespace {

// Wang et al.'s local SSIM of one channel pair at every pixel: Gaussian window 11, sigma 1.5,
// borders reflected. ssim() keeps the 'valid' part, ssimMap() all of it.
cv::Mat localSsim(const Image& a, const Image& b, int c) {
    constexpr double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
    const cv::Mat g = cv::getGaussianKernel(11, 1.5, CV_64F);
    auto blur = [&](const cv::Mat& m) {
        cv::Mat out;
        cv::sepFilter2D(m, out, CV_64F, g, g, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
        return out;
    };
    cv::Mat x, y;
    cv::Mat(a.height, a.width, CV_32F, const_cast<float*>(a.plane(c))).convertTo(x, CV_64F);
    cv::Mat(b.height, b.width, CV_32F, const_cast<float*>(b.plane(c))).convertTo(y, CV_64F);
    const cv::Mat mx = blur(x), my = blur(y);
    const cv::Mat sxx = blur(x.mul(x)) - mx.mul(mx), syy = blur(y.mul(y)) - my.mul(my), sxy = blur(x.mul(y)) - mx.mul(my);
    cv::Mat map;
    cv::divide((2 * mx.mul(my) + C1).mul(2 * sxy + C2), (mx.mul(mx) + my.mul(my) + C1).mul(sxx + syy + C2), map);
    return map;
}

}  // namespace

double ssim(const Image& a, const Image& b) {
    requireSameShape(a, b);
    constexpr int kWin = 11;
    if (a.width < kWin || a.height < kWin) fail(ErrorKind::InvalidArgument, "SSIM needs images of at least 11x11 pixels");
    // 'valid' region only: the window stays inside the image (Wang et al.'s reference code).
    const cv::Rect valid(kWin / 2, kWin / 2, a.width - kWin + 1, a.height - kWin + 1);
    double total = 0;
    for (int c = 0; c < a.channels; ++c) total += cv::mean(localSsim(a, b, c)(valid))[0];
    return total / a.channels;
}

Image ssimMap(const Image& a, const Image& b) {
    requireSameShape(a, b);
    cv::Mat sum = cv::Mat::zeros(a.height, a.width, CV_64F);
    for (int c = 0; c < a.channels; ++c) sum += localSsim(a, b, c);
    Image out = Image::blank(a.width, a.height, 1);
    cv::Mat dst(a.height, a.width, CV_32F, out.plane(0));
    cv::Mat(sum / a.channels).convertTo(dst, CV_32F);
    return out;
}

double colourfulness(const Image& rgb) {
    if (rgb.channels != 3) return 0;
    const int64_t n = rgb.planeSize();
    double mrg = 0, myb = 0, srg = 0, syb = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double r = 255 * rgb.plane(0)[i], g = 255 * rgb.plane(1)[i], b = 255 * rgb.plane(2)[i];
        const double rg = r - g, yb = 0.5 * (r + g) - b;
        mrg += rg;
        myb += yb;
        srg += rg * rg;
        syb += yb * yb;
    }
    mrg /= double(n);
    myb /= double(n);
    const double vrg = std::max(0.0, srg / double(n) - mrg * mrg), vyb = std::max(0.0, syb / double(n) - myb * myb);
    return std::sqrt(vrg + vyb) + 0.3 * std::sqrt(mrg * mrg + myb * myb);
}

double edgeChromaError(const Image& output, const Image& truth, int band) {
    if (output.channels != 3 || truth.channels != 3 || output.width != truth.width || output.height != truth.height)
        fail(ErrorKind::InvalidArgument, "edgeChromaError: needs two RGB images of one size");
    const Image a = rgbToLab(output), b = rgbToLab(truth);
    const int H = truth.height, W = truth.width;
    const cv::Mat L(H, W, CV_32F, const_cast<float*>(b.plane(0)));
    cv::Mat gx, gy, magnitude;
    cv::Sobel(L, gx, CV_32F, 1, 0, 3, 1.0 / 8);  // scaled to L units per pixel
    cv::Sobel(L, gy, CV_32F, 0, 1, 3, 1.0 / 8);
    cv::magnitude(gx, gy, magnitude);
    cv::Mat edges = magnitude > kStrongEdge, near;
    cv::dilate(edges, near, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * band + 1, 2 * band + 1)));
    double sum = 0;
    int64_t count = 0;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            if (!near.at<uint8_t>(y, x)) continue;
            const int64_t k = int64_t(y) * W + x;
            sum += std::hypot(a.plane(1)[k] - b.plane(1)[k], a.plane(2)[k] - b.plane(2)[k]);
            ++count;
        }
    return count ? sum / double(count) : 0;
}

PageColour pageColour(const Image& output, const Image& truth, const Image& labels) {
    if (output.channels != 3 || truth.channels != 3 || output.width != truth.width || output.height != truth.height)
        fail(ErrorKind::InvalidArgument, "pageColour: needs two RGB images of one size");
    if (labels.width != truth.width || labels.height != truth.height)
        fail(ErrorKind::InvalidArgument, "labels are " + std::to_string(labels.width) + "x" + std::to_string(labels.height) +
                                             ", the page " + std::to_string(truth.width) + "x" + std::to_string(truth.height));
    const Image a = rgbToLab(output), b = rgbToLab(truth);
    double paperOut[2] = {0, 0}, paperTruth[2] = {0, 0}, inkChroma = 0;
    int64_t paper = 0, ink = 0, marks = 0, marksRight = 0;
    for (int64_t k = 0; k < truth.planeSize(); ++k) {
        const int label = int(std::lround(255 * labels.plane(0)[k]));
        const double oa = a.plane(1)[k], ob = a.plane(2)[k], ta = b.plane(1)[k], tb = b.plane(2)[k];
        if (label == 255) {
            paperOut[0] += oa, paperOut[1] += ob, paperTruth[0] += ta, paperTruth[1] += tb;
            ++paper;
        } else if (label == 0) {
            inkChroma += std::hypot(oa, ob);
            ++ink;
        } else if (label == 128) {
            const double oc = std::hypot(oa, ob), tc = std::hypot(ta, tb);
            const double cosine = (oa * ta + ob * tb) / std::max(1e-9, oc * tc);
            marksRight += oc >= 0.5 * tc && cosine >= std::cos(kMarkHueTolerance * M_PI / 180);
            ++marks;
        }
    }
    PageColour r;
    if (paper) r.paperToneError = std::hypot(paperOut[0] - paperTruth[0], paperOut[1] - paperTruth[1]) / double(paper);
    if (ink) r.inkChroma = inkChroma / double(ink);
    if (marks) r.markShare = double(marksRight) / double(marks);
    return r;
}

}  // namespace aekit
