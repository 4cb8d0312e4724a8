// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the noise-spec parser, and the parsed spec applied to a small image (twice, to
// check it is deterministic).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "aekit/error.hpp"
#include "aekit/noise.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto spec = aekit::NoiseSpec::parse(std::string(reinterpret_cast<const char*>(data), size));
        aekit::Image a = aekit::Image::blank(8, 6, 3);
        for (size_t i = 0; i < a.pixels.size(); ++i) a.pixels[i] = float(i % 17) / 16.f;
        aekit::Image b = a;
        aekit::applyNoise(spec, a, 7);
        aekit::applyNoise(spec, b, 7);
        if (std::memcmp(a.pixels.data(), b.pixels.data(), a.pixels.size() * sizeof(float)) != 0)
            std::abort();  // same seed, same bytes
    } catch (const aekit::Error&) {
    }
    return 0;
}
