// SPDX-License-Identifier: Apache-2.0
// Losses and code penalties (see aekit/loss.hpp). Accumulation in double: these sums run over
// millions of elements.
#include "aekit/loss.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "aekit/error.hpp"

namespace aekit {

LossKind parseLoss(const std::string& s) {
    if (s == "mse") return LossKind::MSE;
    if (s == "l1") return LossKind::L1;
    if (s == "bce") return LossKind::BCE;
    fail(ErrorKind::InvalidArgument, "unknown loss '" + s + "' (mse|l1|bce)");
}

const char* toString(LossKind k) {
    switch (k) {
        case LossKind::MSE: return "mse";
        case LossKind::L1: return "l1";
        case LossKind::BCE: return "bce";
    }
    return "?";
}

double lossAndGradient(LossKind kind, const float* y, const float* t, float* grad, int64_t n) {
    double sum = 0;
    const double inv = 1.0 / static_cast<double>(n);
    switch (kind) {
        case LossKind::MSE:
#pragma omp parallel for reduction(+ : sum)
            for (int64_t i = 0; i < n; ++i) {
                const double d = double(y[i]) - t[i];
                sum += d * d;
                grad[i] = static_cast<float>(2 * d * inv);
            }
            break;
        case LossKind::L1:
#pragma omp parallel for reduction(+ : sum)
            for (int64_t i = 0; i < n; ++i) {
                const double d = double(y[i]) - t[i];
                sum += std::abs(d);
                grad[i] = static_cast<float>((d > 0 ? 1 : d < 0 ? -1 : 0) * inv);
            }
            break;
        case LossKind::BCE: {
            constexpr double eps = 1e-7;
#pragma omp parallel for reduction(+ : sum)
            for (int64_t i = 0; i < n; ++i) {
                const double p = std::clamp(double(y[i]), eps, 1 - eps);
                sum += -(t[i] * std::log(p) + (1 - t[i]) * std::log(1 - p));
                grad[i] = static_cast<float>((p - t[i]) / (p * (1 - p)) * inv);
            }
            break;
        }
    }
    return sum * inv;
}

Sparsity Sparsity::parse(const std::string& spec) {
    Sparsity s;
    if (spec.empty() || spec == "none") return s;
    const char* grammar = "sparsity spec '%s' is malformed; use l1:WEIGHT or kl:RHO:WEIGHT (e.g. l1:1e-4, kl:0.05:0.1)";
    auto bad = [&]() {
        std::string m = grammar;
        m.replace(m.find("%s"), 2, spec);
        fail(ErrorKind::InvalidArgument, m);
    };
    auto num = [&](const std::string& x) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(x, &used);
        } catch (...) {
            bad();
        }
        if (used != x.size() || !std::isfinite(v) || v < 0) bad();
        return v;
    };
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t i = 0; i <= spec.size(); ++i)
        if (i == spec.size() || spec[i] == ':') {
            parts.push_back(spec.substr(start, i - start));
            start = i + 1;
        }
    if (parts[0] == "l1" && parts.size() == 2) {
        s.kind = Kind::L1;
        s.weight = num(parts[1]);
    } else if (parts[0] == "kl" && parts.size() == 3) {
        s.kind = Kind::KL;
        s.rho = num(parts[1]);
        s.weight = num(parts[2]);
        if (s.rho <= 0 || s.rho >= 1) bad();
    } else {
        bad();
    }
    return s;
}

std::string Sparsity::toString() const {
    switch (kind) {
        case Kind::None: return "none";
        case Kind::L1: return "l1:" + std::to_string(weight);
        case Kind::KL: return "kl:" + std::to_string(rho) + ":" + std::to_string(weight);
    }
    return "?";
}

double sparsityPenalty(const Sparsity& s, const float* z, float* grad, int64_t N, int64_t C, int64_t HW) {
    const int64_t n = N * C * HW;
    std::fill_n(grad, n, 0.f);
    if (s.kind == Sparsity::Kind::None || s.weight == 0) return 0;
    if (s.kind == Sparsity::Kind::L1) {
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) {
            sum += std::abs(z[i]);
            grad[i] = static_cast<float>(s.weight * (z[i] > 0 ? 1 : z[i] < 0 ? -1 : 0) / double(n));
        }
        return s.weight * sum / double(n);
    }
    // KL: rho_hat_c = mean over batch and positions of channel c; penalty sum_c KL(rho || rho_hat_c).
    constexpr double eps = 1e-6;
    const double count = double(N * HW);
    double penalty = 0;
    for (int64_t c = 0; c < C; ++c) {
        double mean = 0;
        for (int64_t b = 0; b < N; ++b)
            for (int64_t i = 0; i < HW; ++i) mean += z[(b * C + c) * HW + i];
        const double r = std::clamp(mean / count, eps, 1 - eps);
        penalty += s.rho * std::log(s.rho / r) + (1 - s.rho) * std::log((1 - s.rho) / (1 - r));
        const double g = s.weight * (-s.rho / r + (1 - s.rho) / (1 - r)) / count;
        for (int64_t b = 0; b < N; ++b)
            for (int64_t i = 0; i < HW; ++i) grad[(b * C + c) * HW + i] = static_cast<float>(g);
    }
    return s.weight * penalty;
}

double softmaxCrossEntropy(const float* logits, const int32_t* labels, const float* w, float* grad, int64_t N,
                           int64_t C, int64_t HW) {
    return softmaxCrossEntropy(logits, labels, nullptr, 1, w, grad, N, C, HW);
}

double softmaxCrossEntropy(const float* logits, const int32_t* labels, const float* shares, int K, const float* w,
                           float* grad, int64_t N, int64_t C, int64_t HW) {
    double sum = 0;
    const double inv = 1.0 / double(N * HW);
#pragma omp parallel for collapse(2) reduction(+ : sum)
    for (int64_t b = 0; b < N; ++b)
        for (int64_t i = 0; i < HW; ++i) {
            const float* l = logits + b * C * HW + i;
            float* g = grad + b * C * HW + i;
            float mx = l[0];
            for (int64_t c = 1; c < C; ++c) mx = std::max(mx, l[c * HW]);
            double z = 0;
            for (int64_t c = 0; c < C; ++c) z += std::exp(double(l[c * HW] - mx));
            const double logZ = std::log(z);
            double weight = 0, loss = 0;
            for (int k = 0; k < K; ++k) {
                const int32_t y = labels[(b * K + k) * HW + i];
                const double t = shares ? shares[(b * K + k) * HW + i] : 1.0;
                weight += t * w[y];
                loss -= t * (double(l[y * HW] - mx) - logZ);
            }
            sum += weight * loss;
            for (int64_t c = 0; c < C; ++c) g[c * HW] = static_cast<float>(weight * std::exp(double(l[c * HW] - mx)) / z * inv);
            for (int k = 0; k < K; ++k) {
                const int32_t y = labels[(b * K + k) * HW + i];
                const double t = shares ? shares[(b * K + k) * HW + i] : 1.0;
                g[y * HW] -= static_cast<float>(weight * t * inv);
            }
        }
    return sum * inv;
}

}  // namespace aekit
