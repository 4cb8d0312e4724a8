// SPDX-License-Identifier: Apache-2.0
// The camera noise model (see camera_noise.hpp and docs/camera-noise.md). OpenCV does the image
// maths: demosaicing, colour conversion, blurs and the JPEG codec.
#include "noise/camera_noise.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "aekit/error.hpp"

namespace aekit::camera {

namespace {

constexpr double kRawScale = 60000, kBlackLevel = 2048;  // 16-bit raw: black level keeps negative noise
constexpr int kAlign = 16;                               // pad to JPEG's 4:2:0 macroblock

// Brooks et al.'s global tone curve (smoothstep) and its inverse.
float tone(float x) { return x * x * (3 - 2 * x); }
float inverseTone(float y) { return 0.5f - std::sin(std::asin(1 - 2 * std::clamp(y, 0.f, 1.f)) / 3); }

// Camera-to-sRGB colour matrix: diagonal d, off-diagonals sharing 1 - d, rows summing to 1 (grey stays grey).
cv::Matx33d colourMatrix(double d) {
    const double o = (1 - d) / 2;
    return {d, o, o, o, d, o, o, o, d};
}

// Which colour (0 R, 1 G, 2 B) sits at (row, col) of the 2x2 Bayer tile of phase p.
int bayerColour(int phase, int row, int col) {
    static const int tiles[4][2][2] = {{{0, 1}, {1, 2}}, {{1, 0}, {2, 1}}, {{1, 2}, {0, 1}}, {{2, 1}, {1, 0}}};
    return tiles[phase][row & 1][col & 1];
}

int demosaicCode(int phase, bool edgeAware) {
    // OpenCV names Bayer patterns by the second row's first two pixels: BG = RGGB, GB = GRBG, GR = GBRG, RG = BGGR.
    static const int bilinear[4] = {cv::COLOR_BayerBG2BGR, cv::COLOR_BayerGB2BGR, cv::COLOR_BayerGR2BGR,
                                    cv::COLOR_BayerRG2BGR};
    static const int ea[4] = {cv::COLOR_BayerBG2BGR_EA, cv::COLOR_BayerGB2BGR_EA, cv::COLOR_BayerGR2BGR_EA,
                              cv::COLOR_BayerRG2BGR_EA};
    return edgeAware ? ea[phase] : bilinear[phase];
}

// sRGB (CV_32FC3, BGR, [0,1]) to the camera's linear raw mosaic (CV_32F).
cv::Mat unprocess(const cv::Mat& bgr, const Parameters& p) {
    const cv::Matx33d toCamera = colourMatrix(p.saturation).inv();
    const double gains[3] = {p.redGain, 1.0, p.blueGain};
    cv::Mat raw(bgr.size(), CV_32F);
    for (int i = 0; i < bgr.rows; ++i)
        for (int j = 0; j < bgr.cols; ++j) {
            const cv::Vec3f v = bgr.at<cv::Vec3f>(i, j);
            const cv::Vec3d lin(std::pow(inverseTone(v[2]), 2.2f), std::pow(inverseTone(v[1]), 2.2f),
                                std::pow(inverseTone(v[0]), 2.2f));
            const cv::Vec3d cam = toCamera * lin;  // RGB
            const int c = bayerColour(p.bayerPhase, i, j);
            raw.at<float>(i, j) = float(std::clamp(cam[c] / gains[c], 0.0, 1.0));
        }
    return raw;
}

// The camera's rendering of a raw mosaic: sRGB (CV_32FC3, BGR), before JPEG.
cv::Mat process(const cv::Mat& raw, const Parameters& p) {
    cv::Mat bayer16, bgr16, bgr;
    raw.convertTo(bayer16, CV_16U, kRawScale, kBlackLevel);
    cv::demosaicing(bayer16, bgr16, demosaicCode(p.bayerPhase, p.edgeAwareDemosaic));
    bgr16.convertTo(bgr, CV_32F, 1 / kRawScale, -kBlackLevel / kRawScale);
    const cv::Matx33d toSrgb = colourMatrix(p.saturation);
    for (int i = 0; i < bgr.rows; ++i)
        for (int j = 0; j < bgr.cols; ++j) {
            cv::Vec3f& v = bgr.at<cv::Vec3f>(i, j);
            const cv::Vec3d rgb = toSrgb * cv::Vec3d(v[2] * p.redGain, v[1], v[0] * p.blueGain);
            for (int c = 0; c < 3; ++c)
                v[2 - c] = tone(std::pow(float(std::clamp(rgb[c], 0.0, 1.0)), 1 / 2.2f));
        }
    // In-camera noise reduction and sharpening, in YCrCb: chroma smoothed hard (what is left of chroma
    // noise is low-frequency blotches), luma gently, then an unsharp mask on luma.
    cv::Mat ycc;
    cv::cvtColor(bgr, ycc, cv::COLOR_BGR2YCrCb);
    std::vector<cv::Mat> planes;
    cv::split(ycc, planes);
    for (int c = 1; c < 3; ++c) {
        cv::Mat smooth;
        cv::GaussianBlur(planes[size_t(c)], smooth, cv::Size(), p.chromaBlur);
        cv::addWeighted(planes[size_t(c)], 1 - p.chromaAmount, smooth, p.chromaAmount, 0, planes[size_t(c)]);
    }
    cv::Mat& y = planes[0];
    if (p.lumaAmount > 0) {
        cv::Mat smooth;
        cv::GaussianBlur(y, smooth, cv::Size(), p.lumaBlur);
        cv::addWeighted(y, 1 - p.lumaAmount, smooth, p.lumaAmount, 0, y);
    }
    if (p.sharpen > 0) {
        cv::Mat smooth;
        cv::GaussianBlur(y, smooth, cv::Size(), 1.0);
        cv::addWeighted(y, 1 + p.sharpen, smooth, -p.sharpen, 0, y);
    }
    cv::merge(planes, ycc);
    cv::cvtColor(ycc, bgr, cv::COLOR_YCrCb2BGR);
    return bgr;
}

// JPEG round trip of an sRGB rendering (OpenCV's encoder subsamples chroma 4:2:0, libjpeg's default).
cv::Mat jpeg(const cv::Mat& bgr, int quality) {
    cv::Mat u8, decoded, out;
    bgr.convertTo(u8, CV_8U, 255.0);
    std::vector<uint8_t> buf;
    cv::imencode(".jpg", u8, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
    decoded = cv::imdecode(buf, cv::IMREAD_COLOR);
    decoded.convertTo(out, CV_32F, 1 / 255.0);
    return out;
}

}  // namespace

Parameters draw(double isoLo, double isoHi, Random& rng) {
    Parameters p;
    p.iso = std::exp(rng.uniform(std::log(isoLo), std::log(isoHi)));
    p.shot = kShotPerIso * p.iso;
    p.read = std::exp(2.18 * std::log(p.shot) + 1.20 + 0.26 * rng.normal());
    p.redGain = rng.uniform(1.9, 2.4);
    p.blueGain = rng.uniform(1.5, 1.9);
    p.saturation = rng.uniform(1.0, 1.2);
    p.bayerPhase = int(rng.uniform(0, 4)) & 3;
    p.edgeAwareDemosaic = rng.uniform(0, 1) < 0.5;
    // Two kinds of in-camera noise reduction, as RNI15's camera photos show: most leave chroma noise
    // at a lower level (colour speckle, chroma half of the variance); some remove it almost entirely
    // and leave grain in luma only, correlated over 1-2 px (chroma a tenth of the variance).
    p.lumaGrain = rng.uniform(0, 1) < kLumaGrainShare;
    p.chromaBlur = p.lumaGrain ? rng.uniform(2.0, 4.0) : rng.uniform(0.5, 2.0);
    p.chromaAmount = p.lumaGrain ? rng.uniform(0.9, 1.0) : rng.uniform(0.3, 0.9);
    // Luma grain is the luma noise smoothed harder (RNI15's grain photos: luma correlated 0.6 at
    // 1 px, 0.2 at 2 px); colour-noise cameras smooth luma lightly (0.4 at 1 px, 0.1 at 2 px).
    p.lumaBlur = p.lumaGrain ? rng.uniform(2.0, 3.5) : rng.uniform(1.0, 2.0);
    p.lumaAmount = p.lumaGrain ? rng.uniform(0.7, 1.0) : rng.uniform(0.0, 0.5);
    p.sharpen = rng.uniform(0, 0.5);
    p.jpegQuality = rng.uniform(0, 1) < 0.6 ? int(rng.uniform(75, 99)) : 0;
    p.downscale = rng.uniform(0, 1) < 0.5 ? 1.0 : rng.uniform(1.25, p.lumaGrain ? 2.5 : 2.0);
    return p;
}

void addRawNoise(std::vector<float>& raw, double shot, double read, Random& rng) {
    for (float& v : raw) v = float(v + std::sqrt(shot * std::max(0.0, double(v)) + read) * rng.normal());
}

void applyCamera(Image& image, const Parameters& p, Random& rng) {
    if (image.channels != 3 && image.channels != 1)
        fail(ErrorKind::Internal, "camera noise on an image of " + std::to_string(image.channels) + " channels");
    const int W = image.width, H = image.height;
    // BGR, reflect-padded to whole macroblocks (at least one), as OpenCV and JPEG want it.
    const int pw = std::max(kAlign, (W + kAlign - 1) / kAlign * kAlign), ph = std::max(kAlign, (H + kAlign - 1) / kAlign * kAlign);
    std::vector<cv::Mat> planes;
    for (int c : {2, 1, 0}) planes.emplace_back(H, W, CV_32F, image.plane(image.channels == 3 ? c : 0));
    cv::Mat bgr, padded;
    cv::merge(planes, bgr);
    cv::copyMakeBorder(bgr, padded, 0, ph - H, 0, pw - W, W > 1 && H > 1 ? cv::BORDER_REFLECT_101 : cv::BORDER_REPLICATE);
    padded = cv::min(cv::max(padded, 0.0), 1.0);
    if (p.downscale > 1) {  // the sensor's view: the image enlarged, macroblock-aligned
        const int sw = int(std::lround(pw * p.downscale / kAlign)) * kAlign, sh = int(std::lround(ph * p.downscale / kAlign)) * kAlign;
        cv::resize(padded, padded, cv::Size(sw, sh), 0, 0, cv::INTER_CUBIC);
        padded = cv::min(cv::max(padded, 0.0), 1.0);
    }

    const cv::Mat raw = unprocess(padded, p);
    std::vector<float> noisyRaw(raw.begin<float>(), raw.end<float>());
    addRawNoise(noisyRaw, p.shot, p.read, rng);
    cv::Mat clean = process(raw, p), noisy = process(cv::Mat(raw.size(), CV_32F, noisyRaw.data()), p);
    if (p.jpegQuality > 0) {
        clean = jpeg(clean, p.jpegQuality);
        noisy = jpeg(noisy, p.jpegQuality);
    }
    cv::Mat noise = noisy - clean;  // BGR
    if (p.downscale > 1) cv::resize(noise, noise, cv::Size(pw, ph), 0, 0, cv::INTER_AREA);  // resizing is linear
    for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) {
            const cv::Vec3f n = noise.at<cv::Vec3f>(i, j);
            const int64_t k = int64_t(i) * W + j;
            if (image.channels == 3) {
                for (int c = 0; c < 3; ++c) {
                    float& v = image.plane(c)[k];
                    v = std::round(std::clamp(v + n[2 - c], 0.f, 1.f) * 255.f) / 255.f;
                }
            } else {
                float& v = image.plane(0)[k];
                const float luma = 0.299f * n[2] + 0.587f * n[1] + 0.114f * n[0];
                v = std::round(std::clamp(v + luma, 0.f, 1.f) * 255.f) / 255.f;
            }
        }
}

}  // namespace aekit::camera
