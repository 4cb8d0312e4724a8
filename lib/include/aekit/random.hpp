// SPDX-License-Identifier: Apache-2.0
// Random numbers that a seed fixes on every platform. std::mt19937_64's sequence is set by the C++
// standard, but the standard library's distributions (normal, Poisson, uniform real and integer,
// std::shuffle) are each library's own: libstdc++, libc++ and MSVC give different numbers for the
// same seed. aekit's noise, patches, splits and initial weights draw from these instead, written
// out here on top of the engine, so that a seed gives the same bytes whichever library built aekit.
// (The normal and Poisson draws call std::log, std::exp and std::lgamma: a C library whose results
// differ in the last bit can still move an 8-bit output by one level, rarely.)
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace aekit {

class Random {
public:
    explicit Random(uint64_t seed) : engine_(seed) {}

    // The engine's next 64 bits (its sequence is the standard's).
    uint64_t operator()() { return engine_(); }
    // Uniform in [0, 1): the top 53 bits of one draw.
    double uniform() { return double(engine_() >> 11) * 0x1p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [0, n), without modulo bias (Lemire's multiply-and-reject); n > 0.
    uint64_t below(uint64_t n);
    // Standard normal: Marsaglia's polar method (pairs; the second is kept for the next call).
    double normal();
    // Poisson with mean lambda >= 0: multiplication of uniforms below 10, Hörmann's transformed
    // rejection (PTRS) from 10 on.
    int64_t poisson(double lambda);

    // Fisher-Yates, from the back, with below().
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[size_t(below(i))]);
    }

private:
    std::mt19937_64 engine_;
    double spare_ = 0;
    bool haveSpare_ = false;
};

}  // namespace aekit
