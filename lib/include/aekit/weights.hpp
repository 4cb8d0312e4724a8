// SPDX-License-Identifier: Apache-2.0
// Named host tensors: how weights travel between a network, a model file and an optimiser.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aekit {

struct HostTensor {
    std::vector<int64_t> shape;  // e.g. OIHW for a convolution's weights
    std::vector<float> data;     // row-major, shape's product elements
    int64_t size() const {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        return n;
    }
};

using WeightMap = std::map<std::string, HostTensor>;

}  // namespace aekit
