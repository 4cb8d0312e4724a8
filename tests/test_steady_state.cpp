// SPDX-License-Identifier: Apache-2.0
// A training step allocates no buffer: after a warm-up, forward + loss + backward + Adam touch no
// fresh page and request no heap block larger than a few hundred bytes, in f32 and bf16. (oneDNN
// 2.6 builds a small argument map inside every primitive execution, a few dozen bytes each; every
// tensor, gradient, workspace and scratchpad is allocated once, when the shape is set.) Page faults
// on fresh memory are what make a framework with a plain allocator slow (the PyTorch peer).
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "aekit/loss.hpp"
#include "aekit/network.hpp"
#include "aekit/optimizer.hpp"
#include "aekit/train_step.hpp"
#include "support/test_util.hpp"

namespace {
std::atomic<long> allocations{0};
std::atomic<size_t> largest{0};
}

// Every C++ allocation in this test binary is counted, and the largest one remembered.
void* operator new(std::size_t n) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    for (size_t seen = largest.load(); n > seen && !largest.compare_exchange_weak(seen, n);) {
    }
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

long minorFaults() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

void checkSteadyState(aekit::Precision precision) {
    aekit::Architecture a;
    a.encoder = {16, 32};
    a.code = 32;
    a.decoder = {16, 32};
    a.inputSkip = true;
    const int N = 4, P = 64;
    const int64_t n = int64_t(N) * 3 * P * P;
    aekit::Network net(a, aekit::Mode::Training, precision);
    net.initWeights(1);
    net.setShape(N, P, P);
    const auto x = testutil::randomVec(size_t(n), 0, 1, 1);
    const std::vector<float> target(x.begin(), x.end());
    aekit::Optimizer opt(aekit::OptimizerConfig{}, net);
    auto step = [&] { aekit::trainStep(net, opt, aekit::Objective{}, {target.data(), target.data()}, 1e-3, 1.0); };
    step();
    step();  // warm-up: first touches and lazy buffers
    largest = 0;
    const long news = allocations.load(), faults = minorFaults();
    for (int i = 0; i < 3; ++i) step();
    const long newsDuring = allocations.load() - news, faultsDuring = minorFaults() - faults;
    const size_t largestDuring = largest.load();
    CAPTURE(newsDuring);
    CAPTURE(faultsDuring);
    CAPTURE(largestDuring);
    CHECK(largestDuring < 1024);  // the smallest tensor here is 4 x 16 x 64 x 64 floats (1 MB)
    // A few faults may come from the OS (thread stacks, lazily mapped library pages); a buffer
    // allocated per step would fault on every one of its pages (hundreds here). AddressSanitizer's
    // quarantine and shadow memory fault on their own, so there only the allocation check holds.
#if defined(__SANITIZE_ADDRESS__)
    MESSAGE("page-fault check skipped under AddressSanitizer");
#else
    CHECK(faultsDuring < 32);
#endif
}

}  // namespace

TEST_CASE("steady state: a training step allocates nothing (f32)") { checkSteadyState(aekit::Precision::F32); }

TEST_CASE("steady state: a training step allocates nothing (bf16)") {
    if (!aekit::bf16Supported()) {
        MESSAGE("skipped: this CPU has no AVX512-BF16");
        return;
    }
    checkSteadyState(aekit::Precision::BF16);
}
