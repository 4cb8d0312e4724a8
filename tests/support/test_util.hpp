// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the test suites: seeded random data and closeness checks.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "aekit/random.hpp"

namespace testutil {

inline std::vector<double> randomVec(size_t n, uint64_t seed, double lo = -1, double hi = 1) {
    aekit::Random rng(seed);
    std::vector<double> v(n);
    for (auto& x : v) x = rng.uniform(lo, hi);
    return v;
}

// Values rounded to float, so that float and double computations start from the same numbers.
inline std::vector<double> randomFloatVec(size_t n, uint64_t seed, double lo = -1, double hi = 1) {
    auto v = randomVec(n, seed, lo, hi);
    for (auto& x : v) x = static_cast<float>(x);
    return v;
}

template <class A, class B>
double maxAbsDiff(const A& a, const B& b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
    return m;
}

template <class A>
double maxAbs(const A& a, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(double(a[i])));
    return m;
}

// |a - b| <= tol * (1 + max |b|), with the worst element reported on failure.
template <class A, class B>
void checkClose(const A& a, const B& b, size_t n, double tol, const char* what) {
    const double scale = 1 + maxAbs(b, n);
    const double err = maxAbsDiff(a, b, n);
    const std::string whatText = what;
    CAPTURE(whatText);
    CAPTURE(err);
    CAPTURE(scale);
    CHECK(err <= tol * scale);
    bool finite = true;
    for (size_t i = 0; i < n; ++i) finite = finite && std::isfinite(double(a[i]));
    CHECK(finite);
}

}  // namespace testutil
