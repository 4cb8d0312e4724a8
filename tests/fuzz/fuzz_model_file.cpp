// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a model file from a stranger (safetensors header, tensors, aekit metadata, the
// architecture against the tensors). Anything but a clean aekit::Error is a finding.
#include <cstddef>
#include <cstdint>

#include "aekit/error.hpp"
#include "aekit/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        aekit::SafetensorsContent content = aekit::parseSafetensors(data, size, "fuzz.safetensors");
        const aekit::Model model = aekit::Model::fromContent(std::move(content), "fuzz.safetensors");
        (void)model.toContent();
    } catch (const aekit::Error&) {
    }
    return 0;
}
