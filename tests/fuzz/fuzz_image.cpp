// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: aekit's image-loading path (exiv2 header and orientation, the size limits,
// OpenCV's decoders, the grey+alpha TIFF decoder), with a pixel limit small enough to fuzz fast.
#include <cstddef>
#include <cstdint>

#include "aekit/error.hpp"
#include "aekit/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    aekit::ReadOptions options;
    options.maxPixels = 1 << 16;  // 256x256: decoding cost, mostly page faults, scales with it
    try {
        const aekit::Image im = aekit::decodeImage(data, size, "fuzz", options);
        if (im.width <= 0 || im.height <= 0 || im.pixels.size() != size_t(im.channels) * size_t(im.planeSize()))
            __builtin_trap();
    } catch (const aekit::Error&) {
    }
    return 0;
}
