// SPDX-License-Identifier: Apache-2.0
// Files the end-to-end tests make and read back: raw bytes, and folders of synthetic images.
#pragma once
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "aekit/image.hpp"
#include "support/synthetic.hpp"

namespace testutil {

inline std::string bytesOf(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

inline void writeBytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// count synthetic W x H images (img0.png, img1.png, ...) in dir, from seed, seed + 1, ...
inline void makeImages(const std::string& dir, int count, int W, int H, int channels, uint64_t seed) {
    std::filesystem::create_directories(dir);
    for (int i = 0; i < count; ++i)
        aekit::writeImage(dir + "/img" + std::to_string(i) + ".png", syntheticImage(W, H, channels, seed + i));
}

}  // namespace testutil
