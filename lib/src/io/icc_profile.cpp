// SPDX-License-Identifier: Apache-2.0
// ICC profile helpers (see icc_profile.hpp).
#include "io/icc_profile.hpp"

#include <webp/mux.h>

#include "aekit/error.hpp"

namespace aekit::io {

std::string iccColourSpace(const std::vector<uint8_t>& icc) {
    if (icc.size() < 128) return {};
    return std::string(icc.begin() + 16, icc.begin() + 20);
}

bool iccFits(const std::vector<uint8_t>& icc, int channels) {
    const std::string space = iccColourSpace(icc);
    return channels == 3 ? space == "RGB " : channels == 1 && space == "GRAY";
}

std::vector<uint8_t> withWebpProfile(const std::vector<uint8_t>& webp, const std::vector<uint8_t>& icc) {
    const WebPData in{webp.data(), webp.size()};
    WebPMux* mux = WebPMuxCreate(&in, 0);
    if (!mux) fail(ErrorKind::Io, "libwebpmux could not parse the WebP file to add its ICC profile");
    const WebPData profile{icc.data(), icc.size()};
    WebPData assembled{nullptr, 0};
    const bool ok = WebPMuxSetChunk(mux, "ICCP", &profile, 1) == WEBP_MUX_OK && WebPMuxAssemble(mux, &assembled) == WEBP_MUX_OK;
    WebPMuxDelete(mux);
    if (!ok) {
        WebPDataClear(&assembled);
        fail(ErrorKind::Io, "libwebpmux could not add the ICC profile");
    }
    std::vector<uint8_t> out(assembled.bytes, assembled.bytes + assembled.size);
    WebPDataClear(&assembled);
    return out;
}

}  // namespace aekit::io
