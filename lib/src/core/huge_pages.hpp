// SPDX-License-Identifier: Apache-2.0
// Large image-sized buffers on transparent huge pages. On the virtual machines aekit was measured on,
// a fresh 4-KB page costs a fault and its zeroing: a 24-megapixel photo's float planes are 72,000 of
// them per copy, and zero-filling one took 0.8 s (with a one-pass conversion on huge pages, reading
// that photo went from 2.8 to 1.0-1.4 s).
#pragma once
#include <cstddef>
#include <vector>

namespace aekit::core {

// Advises the 2-MB-aligned part of [p, p + bytes) as transparent huge pages (advice only: without
// them nothing changes). Call before the memory is first touched.
void adviseHugePages(void* p, size_t bytes);

// v becomes n value-initialised elements (its contents are not kept); storage it needs afresh is
// advised as huge pages before it is first touched.
template <class T>
void assignOnHugePages(std::vector<T>& v, size_t n) {
    if (v.capacity() < n) {
        std::vector<T>().swap(v);
        v.reserve(n);
        adviseHugePages(v.data(), n * sizeof(T));
    }
    v.assign(n, T());
}

}  // namespace aekit::core
