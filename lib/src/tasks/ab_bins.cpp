// SPDX-License-Identifier: Apache-2.0
// ab bins: gamut, nearest bin, rebalancing and annealed-mean decoding (see ab_bins.hpp).
#include "tasks/ab_bins.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "aekit/error.hpp"

namespace aekit::tasks {

namespace {
constexpr double kAbMin = -110, kAbMax = 110;
}

AbBins AbBins::inGamut(double grid) {
    AbBins bins;
    bins.grid_ = grid;
    const int n = static_cast<int>(std::round((kAbMax - kAbMin) / grid));
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float a = static_cast<float>(kAbMin + (i + 0.5) * grid), b = static_cast<float>(kAbMin + (j + 0.5) * grid);
            bool reachable = false;
            for (int L = 2; L <= 98 && !reachable; L += 2) {
                cv::Mat lab(1, 1, CV_32FC3, cv::Scalar(L, a, b)), rgb;
                cv::cvtColor(lab, rgb, cv::COLOR_Lab2RGB);
                // Un-clipped conversion back must round-trip: the colour exists in sRGB.
                cv::Mat back;
                cv::cvtColor(rgb, back, cv::COLOR_RGB2Lab);
                const auto v = back.at<cv::Vec3f>(0, 0);
                const auto c = rgb.at<cv::Vec3f>(0, 0);
                const bool inside = c[0] >= 0 && c[0] <= 1 && c[1] >= 0 && c[1] <= 1 && c[2] >= 0 && c[2] <= 1;
                reachable = inside && std::abs(v[1] - a) < grid / 2 && std::abs(v[2] - b) < grid / 2;
            }
            if (reachable) {
                bins.a_.push_back(a);
                bins.b_.push_back(b);
            }
        }
    bins.buildLookup();
    return bins;
}

void AbBins::buildLookup() {
    cells_ = static_cast<int>(std::round((kAbMax - kAbMin) / grid_));
    lookup_.assign(size_t(cells_) * cells_, 0);
    for (int i = 0; i < cells_; ++i)
        for (int j = 0; j < cells_; ++j) {
            const double a = kAbMin + (i + 0.5) * grid_, b = kAbMin + (j + 0.5) * grid_;
            int best = 0;
            double bestD = INFINITY;
            for (int q = 0; q < count(); ++q) {
                const double d = (a_[q] - a) * (a_[q] - a) + (b_[q] - b) * (b_[q] - b);
                if (d < bestD) {
                    bestD = d;
                    best = q;
                }
            }
            lookup_[size_t(i) * cells_ + j] = best;
        }
}

int AbBins::nearest(float a, float b) const {
    auto cell = [&](float v) {
        return std::clamp(static_cast<int>(std::floor((v - kAbMin) / grid_)), 0, cells_ - 1);
    };
    return lookup_[size_t(cell(a)) * cells_ + cell(b)];
}

void AbBins::bilinear(float a, float b, int32_t bins[4], float shares[4]) const {
    // Cell i's centre is kAbMin + (i + 0.5) grid: t = (v - kAbMin) / grid - 0.5 counts centres.
    auto corner = [&](float v, int& lo, int& hi, float& f) {
        const double t = std::clamp((double(v) - kAbMin) / grid_ - 0.5, 0.0, double(cells_ - 1));
        lo = std::min(static_cast<int>(std::floor(t)), cells_ - 1);
        hi = std::min(lo + 1, cells_ - 1);
        f = static_cast<float>(t - lo);
    };
    int a0, a1, b0, b1;
    float fa, fb;
    corner(a, a0, a1, fa);
    corner(b, b0, b1, fb);
    const int ia[4] = {a0, a0, a1, a1}, ib[4] = {b0, b1, b0, b1};
    const float w[4] = {(1 - fa) * (1 - fb), (1 - fa) * fb, fa * (1 - fb), fa * fb};
    for (int k = 0; k < 4; ++k) {
        bins[k] = lookup_[size_t(ia[k]) * cells_ + ib[k]];
        shares[k] = w[k];
    }
}

std::vector<float> AbBins::rebalancingWeights(const std::vector<double>& counts, double lambda, double sigma) const {
    const int Q = count();
    double total = 0;
    for (double c : counts) total += c;
    std::vector<double> p(Q, 0.0);
    // Gaussian smoothing of the empirical distribution in ab space.
    for (int q = 0; q < Q; ++q) {
        double s = 0, wsum = 0;
        for (int r = 0; r < Q; ++r) {
            const double d2 = (a_[q] - a_[r]) * (a_[q] - a_[r]) + (b_[q] - b_[r]) * (b_[q] - b_[r]);
            const double w = std::exp(-d2 / (2 * sigma * sigma));
            s += w * (total > 0 ? counts[r] / total : 1.0 / Q);
            wsum += w;
        }
        p[q] = s / wsum;
    }
    double psum = 0;
    for (double v : p) psum += v;
    for (double& v : p) v /= psum;
    std::vector<float> w(Q);
    double expectation = 0;
    for (int q = 0; q < Q; ++q) {
        w[q] = static_cast<float>(1.0 / ((1 - lambda) * p[q] + lambda / Q));
        expectation += p[q] * w[q];
    }
    for (auto& v : w) v = static_cast<float>(v / expectation);
    return w;
}

AbBins::Rule AbBins::parseRule(const std::string& name) {
    if (name == "mean") return Rule::Mean;
    if (name == "neutral-or-colour") return Rule::NeutralOrColour;
    fail(ErrorKind::InvalidArgument, "colour decode '" + name + "': mean or neutral-or-colour");
}

std::string AbBins::toString(Rule rule) { return rule == Rule::Mean ? "mean" : "neutral-or-colour"; }

bool AbBins::isNeutral(int q) const { return std::hypot(a_[q], b_[q]) < grid_; }

void AbBins::decode(const float* logits, int64_t HW, float T, float* aOut, float* bOut, const float* bias, Rule rule) const {
    const int Q = count();
    std::vector<char> neutral(size_t(Q), 0);
    for (int q = 0; q < Q; ++q) neutral[size_t(q)] = isNeutral(q);
    const float invT = 1.f / T;
    // Blocks of pixels, every bin's row of the block contiguous: the exponentials of a whole block
    // go through OpenCV's vectorised cv::exp and the sums vectorise over pixels. A pixel at a time
    // (261 strided loads and 261 scalar exp calls each) was 43% of colorizing a small photo.
    constexpr int kBlock = 256;  // 261 x 256 floats: 267 KB per thread
#pragma omp parallel
    {
        cv::Mat e(Q, kBlock, CV_32F);
        std::vector<float> mx(kBlock), zn(kBlock), na(kBlock), nb(kBlock), zc(kBlock), ca(kBlock), cb(kBlock);
#pragma omp for
        for (int64_t i0 = 0; i0 < HW; i0 += kBlock) {
            const int n = int(std::min<int64_t>(kBlock, HW - i0));
            std::fill(mx.begin(), mx.begin() + n, -std::numeric_limits<float>::infinity());
            for (int q = 0; q < Q; ++q) {
                const float* l = logits + q * HW + i0;
                const float bq = bias ? bias[q] : 0.f;
                float* out = e.ptr<float>(q);
                for (int j = 0; j < n; ++j) {
                    out[j] = l[j] + bq;
                    mx[j] = std::max(mx[j], out[j]);
                }
            }
            // softmax(logits)^(1/T) renormalised == softmax(logits / T)
            for (int q = 0; q < Q; ++q) {
                float* out = e.ptr<float>(q);
                for (int j = 0; j < n; ++j) out[j] = (out[j] - mx[j]) * invT;
            }
            cv::Mat block = e.colRange(0, n);
            cv::exp(block, block);
            for (auto* v : {&zn, &na, &nb, &zc, &ca, &cb}) std::fill(v->begin(), v->begin() + n, 0.f);
            for (int q = 0; q < Q; ++q) {
                const float* w = e.ptr<float>(q);
                const float a = a_[size_t(q)], b = b_[size_t(q)];
                float *z = zc.data(), *sa = ca.data(), *sb = cb.data();  // the colour bins
                if (neutral[size_t(q)]) z = zn.data(), sa = na.data(), sb = nb.data();
                for (int j = 0; j < n; ++j) {
                    z[j] += w[j];
                    sa[j] += w[j] * a;
                    sb[j] += w[j] * b;
                }
            }
            for (int j = 0; j < n; ++j) {
                const int64_t i = i0 + j;
                if (rule == Rule::Mean) {
                    const float z = zn[j] + zc[j];
                    aOut[i] = (na[j] + ca[j]) / z;
                    bOut[i] = (nb[j] + cb[j]) / z;
                } else if (zn[j] >= zc[j]) {  // at least half the distribution on neutral bins
                    aOut[i] = bOut[i] = 0.f;
                } else {  // the mean of the colour bins
                    aOut[i] = ca[j] / zc[j];
                    bOut[i] = cb[j] / zc[j];
                }
            }
        }
    }
}

std::string AbBins::toJson() const {
    nlohmann::json j{{"grid", grid_}, {"a", a_}, {"b", b_}};
    return j.dump();
}

AbBins AbBins::fromJson(const std::string& text) {
    AbBins bins;
    try {
        const auto j = nlohmann::json::parse(text);
        bins.grid_ = j.at("grid").get<double>();
        bins.a_ = j.at("a").get<std::vector<float>>();
        bins.b_ = j.at("b").get<std::vector<float>>();
    } catch (const nlohmann::json::exception& e) {
        fail(ErrorKind::BadFile, std::string("colorize bins JSON: ") + e.what());
    }
    if (bins.a_.empty() || bins.a_.size() != bins.b_.size() || !(bins.grid_ >= 1 && bins.grid_ <= 110))
        fail(ErrorKind::BadFile, "colorize bins JSON: inconsistent bins");
    bins.buildLookup();
    return bins;
}

}  // namespace aekit::tasks
