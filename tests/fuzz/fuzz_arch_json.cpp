// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the architecture JSON of a model's metadata. A parsed architecture must survive
// its own checks, its cost figures and a round trip through JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "aekit/architecture.hpp"
#include "aekit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto arch = aekit::Architecture::fromJson(std::string(reinterpret_cast<const char*>(data), size));
        (void)arch.macsPerPixel();
        (void)arch.receptiveField();
        const auto again = aekit::Architecture::fromJson(arch.toJson());
        if (again.toJson() != arch.toJson()) std::abort();  // the round trip must be exact
    } catch (const aekit::Error&) {
    }
    return 0;
}
