// SPDX-License-Identifier: Apache-2.0
// ab bins: gamut, nearest bin, rebalancing and annealed-mean decoding (see ab_bins.hpp).
#include "tasks/ab_bins.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

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
    auto logit = [&](int q, int64_t i) { return logits[q * HW + i] + (bias ? bias[q] : 0.f); };
#pragma omp parallel for
    for (int64_t i = 0; i < HW; ++i) {
        float mx = logit(0, i);
        for (int q = 1; q < Q; ++q) mx = std::max(mx, logit(q, i));
        double z = 0, sa = 0, sb = 0;  // all bins
        double zn = 0, na = 0, nb = 0;  // the neutral ones
        for (int q = 0; q < Q; ++q) {
            // softmax(logits)^(1/T) renormalised == softmax(logits / T)
            const double e = std::exp(double(logit(q, i) - mx) / T);
            z += e;
            sa += e * a_[q];
            sb += e * b_[q];
            if (neutral[size_t(q)]) {
                zn += e;
                na += e * a_[q];
                nb += e * b_[q];
            }
        }
        if (rule == Rule::Mean) {
            aOut[i] = static_cast<float>(sa / z);
            bOut[i] = static_cast<float>(sb / z);
        } else if (2 * zn >= z) {
            aOut[i] = bOut[i] = 0.f;
        } else {  // the mean of the colour bins
            aOut[i] = static_cast<float>((sa - na) / (z - zn));
            bOut[i] = static_cast<float>((sb - nb) / (z - zn));
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
