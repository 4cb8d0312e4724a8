// SPDX-License-Identifier: Apache-2.0
// Plain nested-loop reference ops in double, NCHW: the oracle the oneDNN ops are tested against
// (and themselves checked against finite differences). Slow on purpose; clarity over speed.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ref {

using Vec = std::vector<double>;

struct Shape {
    int N, C, H, W;
    int64_t size() const { return int64_t(N) * C * H * W; }
    int64_t at(int n, int c, int h, int w) const { return ((int64_t(n) * C + c) * H + h) * W + w; }
};

// dst = conv(src, weights OCxICxKxK) + bias, stride 1, zero "same" padding.
inline Vec conv(const Vec& src, Shape s, const Vec& wts, const Vec& bias, int OC, int K) {
    Shape d{s.N, OC, s.H, s.W};
    Vec dst(d.size());
    const int p = K / 2;
    for (int n = 0; n < s.N; ++n)
        for (int oc = 0; oc < OC; ++oc)
            for (int h = 0; h < s.H; ++h)
                for (int w = 0; w < s.W; ++w) {
                    double acc = bias[oc];
                    for (int ic = 0; ic < s.C; ++ic)
                        for (int kh = 0; kh < K; ++kh)
                            for (int kw = 0; kw < K; ++kw) {
                                const int y = h + kh - p, x = w + kw - p;
                                if (y < 0 || y >= s.H || x < 0 || x >= s.W) continue;
                                acc += src[s.at(n, ic, y, x)] * wts[((int64_t(oc) * s.C + ic) * K + kh) * K + kw];
                            }
                    dst[d.at(n, oc, h, w)] = acc;
                }
    return dst;
}

// Gradients of conv given diffDst: returns diffSrc; fills diffWeights and diffBias (assigned).
inline Vec convBackward(const Vec& src, Shape s, const Vec& wts, int OC, int K, const Vec& diffDst, Vec& diffWeights,
                        Vec& diffBias) {
    Shape d{s.N, OC, s.H, s.W};
    Vec diffSrc(s.size(), 0.0);
    diffWeights.assign(size_t(OC) * s.C * K * K, 0.0);
    diffBias.assign(size_t(OC), 0.0);
    const int p = K / 2;
    for (int n = 0; n < s.N; ++n)
        for (int oc = 0; oc < OC; ++oc)
            for (int h = 0; h < s.H; ++h)
                for (int w = 0; w < s.W; ++w) {
                    const double g = diffDst[d.at(n, oc, h, w)];
                    diffBias[oc] += g;
                    for (int ic = 0; ic < s.C; ++ic)
                        for (int kh = 0; kh < K; ++kh)
                            for (int kw = 0; kw < K; ++kw) {
                                const int y = h + kh - p, x = w + kw - p;
                                if (y < 0 || y >= s.H || x < 0 || x >= s.W) continue;
                                const int64_t wi = ((int64_t(oc) * s.C + ic) * K + kh) * K + kw;
                                diffWeights[wi] += g * src[s.at(n, ic, y, x)];
                                diffSrc[s.at(n, ic, y, x)] += g * wts[wi];
                            }
                }
    return diffSrc;
}

// Transposed convolution 2x2 stride 2, weights OC x IC x 2 x 2 (oneDNN order), no bias.
inline Vec deconv(const Vec& src, Shape s, const Vec& wts, int OC) {
    Shape d{s.N, OC, s.H * 2, s.W * 2};
    Vec dst(d.size(), 0.0);
    for (int n = 0; n < s.N; ++n)
        for (int oc = 0; oc < OC; ++oc)
            for (int y = 0; y < d.H; ++y)
                for (int x = 0; x < d.W; ++x) {
                    double acc = 0;
                    for (int ic = 0; ic < s.C; ++ic)
                        acc += src[s.at(n, ic, y / 2, x / 2)] * wts[((int64_t(oc) * s.C + ic) * 2 + y % 2) * 2 + x % 2];
                    dst[d.at(n, oc, y, x)] = acc;
                }
    return dst;
}

inline Vec deconvBackward(const Vec& src, Shape s, const Vec& wts, int OC, const Vec& diffDst, Vec& diffWeights) {
    Shape d{s.N, OC, s.H * 2, s.W * 2};
    Vec diffSrc(s.size(), 0.0);
    diffWeights.assign(size_t(OC) * s.C * 4, 0.0);
    for (int n = 0; n < s.N; ++n)
        for (int oc = 0; oc < OC; ++oc)
            for (int y = 0; y < d.H; ++y)
                for (int x = 0; x < d.W; ++x) {
                    const double g = diffDst[d.at(n, oc, y, x)];
                    for (int ic = 0; ic < s.C; ++ic) {
                        const int64_t wi = ((int64_t(oc) * s.C + ic) * 2 + y % 2) * 2 + x % 2;
                        diffWeights[wi] += g * src[s.at(n, ic, y / 2, x / 2)];
                        diffSrc[s.at(n, ic, y / 2, x / 2)] += g * wts[wi];
                    }
                }
    return diffSrc;
}

inline Vec maxPool(const Vec& src, Shape s) {
    Shape d{s.N, s.C, s.H / 2, s.W / 2};
    Vec dst(d.size());
    for (int n = 0; n < s.N; ++n)
        for (int c = 0; c < s.C; ++c)
            for (int y = 0; y < d.H; ++y)
                for (int x = 0; x < d.W; ++x) {
                    double m = -INFINITY;
                    for (int dy = 0; dy < 2; ++dy)
                        for (int dx = 0; dx < 2; ++dx) m = std::max(m, src[s.at(n, c, 2 * y + dy, 2 * x + dx)]);
                    dst[d.at(n, c, y, x)] = m;
                }
    return dst;
}

// The gradient goes to the first maximum of each window (inputs are drawn without ties).
inline Vec maxPoolBackward(const Vec& src, Shape s, const Vec& diffDst) {
    Shape d{s.N, s.C, s.H / 2, s.W / 2};
    Vec diffSrc(s.size(), 0.0);
    for (int n = 0; n < s.N; ++n)
        for (int c = 0; c < s.C; ++c)
            for (int y = 0; y < d.H; ++y)
                for (int x = 0; x < d.W; ++x) {
                    int64_t best = s.at(n, c, 2 * y, 2 * x);
                    for (int dy = 0; dy < 2; ++dy)
                        for (int dx = 0; dx < 2; ++dx) {
                            const int64_t i = s.at(n, c, 2 * y + dy, 2 * x + dx);
                            if (src[i] > src[best]) best = i;
                        }
                    diffSrc[best] += diffDst[d.at(n, c, y, x)];
                }
    return diffSrc;
}

// 2x upsampling as a sparse linear map: each output is a weighted sum of inputs (oneDNN's formulas:
// nearest takes floor(o / 2); linear uses half-pixel centres, x = (o + 0.5) / 2 - 0.5, edges clamped).
struct Tap {
    int i;
    double w;
};
inline std::vector<Tap> upsampleTaps(int o, int I, bool bilinear) {
    if (!bilinear) return {{o / 2, 1.0}};
    const double x = (o + 0.5) / 2.0 - 0.5;
    const int i0 = static_cast<int>(std::floor(x));
    const double f = x - i0;
    return {{std::clamp(i0, 0, I - 1), 1 - f}, {std::clamp(i0 + 1, 0, I - 1), f}};
}

inline Vec upsample(const Vec& src, Shape s, bool bilinear) {
    Shape d{s.N, s.C, s.H * 2, s.W * 2};
    Vec dst(d.size(), 0.0);
    for (int n = 0; n < s.N; ++n)
        for (int c = 0; c < s.C; ++c)
            for (int y = 0; y < d.H; ++y)
                for (int x = 0; x < d.W; ++x)
                    for (auto ty : upsampleTaps(y, s.H, bilinear))
                        for (auto tx : upsampleTaps(x, s.W, bilinear))
                            dst[d.at(n, c, y, x)] += ty.w * tx.w * src[s.at(n, c, ty.i, tx.i)];
    return dst;
}

inline Vec upsampleBackward(Shape s, const Vec& diffDst, bool bilinear) {
    Shape d{s.N, s.C, s.H * 2, s.W * 2};
    Vec diffSrc(s.size(), 0.0);
    for (int n = 0; n < s.N; ++n)
        for (int c = 0; c < s.C; ++c)
            for (int y = 0; y < d.H; ++y)
                for (int x = 0; x < d.W; ++x)
                    for (auto ty : upsampleTaps(y, s.H, bilinear))
                        for (auto tx : upsampleTaps(x, s.W, bilinear))
                            diffSrc[s.at(n, c, ty.i, tx.i)] += ty.w * tx.w * diffDst[d.at(n, c, y, x)];
    return diffSrc;
}

enum class Act { ReLU, LeakyReLU, Sigmoid, Tanh };
inline double act(Act a, double x) {
    switch (a) {
        case Act::ReLU: return x > 0 ? x : 0;
        case Act::LeakyReLU: return x > 0 ? x : 0.1 * x;
        case Act::Sigmoid: return 1 / (1 + std::exp(-x));
        case Act::Tanh: return std::tanh(x);
    }
    return 0;
}
inline double actDerivative(Act a, double x) {
    switch (a) {
        case Act::ReLU: return x > 0 ? 1 : 0;
        case Act::LeakyReLU: return x > 0 ? 1 : 0.1;
        case Act::Sigmoid: {
            const double y = act(a, x);
            return y * (1 - y);
        }
        case Act::Tanh: {
            const double y = std::tanh(x);
            return 1 - y * y;
        }
    }
    return 0;
}

}  // namespace ref
