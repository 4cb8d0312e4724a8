// The pixel size an image file declares, read from its header before anything is decoded, so that
// a decompression bomb is refused before a decoder allocates for it. PNG, JPEG, TIFF, BMP and WebP.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

namespace aekit::io {

struct DeclaredSize {
    uint64_t width = 0;
    uint64_t height = 0;
};

// The size in the header (of the first frame, page or directory: what the decoders read), or none
// when the header is missing, truncated or malformed.
std::optional<DeclaredSize> declaredSize(const uint8_t* data, size_t size);

}  // namespace aekit::io
