// SPDX-License-Identifier: Apache-2.0
// Colour figures for real scans (see aekit/scan_colour.hpp).
#include "aekit/scan_colour.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "aekit/color.hpp"
#include "aekit/error.hpp"

namespace aekit {

namespace {

double median(std::vector<float> v) {
    if (v.empty()) return 0;
    auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

// The page's paper threshold on L*: its median less kPaperBelowMedian.
double paperThreshold(const Image& lab) {
    const float* L = lab.plane(0);
    return median(std::vector<float>(L, L + lab.planeSize())) - kPaperBelowMedian;
}

struct Spread {
    double sum[2] = {0, 0}, sq[2] = {0, 0};
    int64_t n = 0;
    void add(double a, double b) {
        sum[0] += a, sum[1] += b, sq[0] += a * a, sq[1] += b * b;
        ++n;
    }
    double value() const {
        if (n == 0) return 0;
        double v = 0;
        for (int c = 0; c < 2; ++c) v += std::max(0.0, sq[c] / double(n) - (sum[c] / double(n)) * (sum[c] / double(n)));
        return std::sqrt(v);
    }
};

}  // namespace

bool isBlue(double a, double b, double minChroma) { return b < 0 && std::abs(a) <= -b && std::hypot(a, b) >= minChroma; }

ScanColour scanColour(const Image& output, const Image& truth) {
    if (output.channels != 3 || truth.channels != 3 || output.width != truth.width || output.height != truth.height)
        fail(ErrorKind::InvalidArgument, "scanColour: needs two RGB images of one size");
    const Image o = rgbToLab(output), t = rgbToLab(truth);
    const double paperL = paperThreshold(t);
    std::vector<float> paper[4];  // output a, b; truth a, b
    Spread outSpread, truthSpread;
    double ink = 0, neutral = 0;
    int64_t inkPixels = 0;
    ScanColour r;
    for (int64_t k = 0; k < t.planeSize(); ++k) {
        const double L = t.plane(0)[k], oa = o.plane(1)[k], ob = o.plane(2)[k], ta = t.plane(1)[k], tb = t.plane(2)[k];
        if (L >= paperL) {
            paper[0].push_back(float(oa)), paper[1].push_back(float(ob)), paper[2].push_back(float(ta)), paper[3].push_back(float(tb));
            outSpread.add(oa, ob);
            truthSpread.add(ta, tb);
        } else if (L < kInkLightness) {
            ink += std::hypot(oa - ta, ob - tb);
            neutral += std::hypot(ta, tb);
            ++inkPixels;
            if (isBlue(ta, tb)) {
                ++r.blueInk;
                r.blueInkRight += isBlue(oa, ob);
            }
        }
    }
    r.paperToneError = std::hypot(median(paper[0]) - median(paper[2]), median(paper[1]) - median(paper[3]));
    r.paperSpreadRatio = outSpread.value() / std::max(1e-9, truthSpread.value());
    if (inkPixels) {
        r.inkError = ink / double(inkPixels);
        r.neutralInkError = neutral / double(inkPixels);
    }
    return r;
}

Ab paperColour(const Image& rgb) {
    if (rgb.channels != 3) fail(ErrorKind::InvalidArgument, "paperColour: needs an RGB image");
    const Image lab = rgbToLab(rgb);
    const double paperL = paperThreshold(lab);
    std::vector<float> a, b;
    for (int64_t k = 0; k < lab.planeSize(); ++k)
        if (lab.plane(0)[k] >= paperL) a.push_back(lab.plane(1)[k]), b.push_back(lab.plane(2)[k]);
    return {median(std::move(a)), median(std::move(b))};
}

Image constantColour(const Image& gray, Ab ab) {
    const Image L = lightness(gray);
    Image abPlanes = Image::blank(gray.width, gray.height, 2, 8);
    std::fill(abPlanes.plane(0), abPlanes.plane(0) + abPlanes.planeSize(), float(ab.a));
    std::fill(abPlanes.plane(1), abPlanes.plane(1) + abPlanes.planeSize(), float(ab.b));
    return labToRgb(mergeLab(L, abPlanes));
}

}  // namespace aekit
