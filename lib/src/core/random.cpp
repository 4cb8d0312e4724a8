// SPDX-License-Identifier: Apache-2.0
// Portable distributions (see aekit/random.hpp).
#include "aekit/random.hpp"

#include <cmath>

namespace aekit {

namespace {

// The 128-bit product of a and b as two words, from 32-bit halves (standard C++ has no 128-bit type).
void multiply(uint64_t a, uint64_t b, uint64_t& high, uint64_t& low) {
    const uint64_t aLow = a & 0xFFFFFFFFu, aHigh = a >> 32, bLow = b & 0xFFFFFFFFu, bHigh = b >> 32;
    const uint64_t ll = aLow * bLow, lh = aLow * bHigh, hl = aHigh * bLow, hh = aHigh * bHigh;
    const uint64_t middle = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    low = (middle << 32) | (ll & 0xFFFFFFFFu);
    high = hh + (lh >> 32) + (hl >> 32) + (middle >> 32);
}

}  // namespace

uint64_t Random::below(uint64_t n) {
    // The high word of a 64x64-bit product is uniform on [0, n) once the few low words that would
    // over-represent some values are rejected.
    uint64_t high, low;
    multiply(engine_(), n, high, low);
    if (low < n) {
        const uint64_t threshold = (0 - n) % n;
        while (low < threshold) multiply(engine_(), n, high, low);
    }
    return high;
}

double Random::normal() {
    if (haveSpare_) {
        haveSpare_ = false;
        return spare_;
    }
    double u, v, s;
    do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double f = std::sqrt(-2 * std::log(s) / s);
    spare_ = v * f;
    haveSpare_ = true;
    return u * f;
}

int64_t Random::poisson(double lambda) {
    if (!(lambda > 0)) return 0;
    if (lambda < 10) {  // the count of uniforms whose product stays above e^-lambda
        const double limit = std::exp(-lambda);
        int64_t k = 0;
        double p = uniform();
        while (p > limit) {
            ++k;
            p *= uniform();
        }
        return k;
    }
    // W. Hörmann, "The transformed rejection method for generating Poisson random variables" (1993).
    const double root = std::sqrt(lambda), logLambda = std::log(lambda);
    const double b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b;
    const double invAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        const double u = uniform() - 0.5, v = uniform();
        const double us = 0.5 - std::abs(u);
        const double k = std::floor((2 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr) return int64_t(k);
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(invAlpha) - std::log(a / (us * us) + b) <= -lambda + k * logLambda - std::lgamma(k + 1))
            return int64_t(k);
    }
}

}  // namespace aekit
