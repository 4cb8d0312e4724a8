// SPDX-License-Identifier: Apache-2.0
// A graph tensor: its value and, in training, one gradient slot per consumer (summed before the
// producer's backward), so that a tensor read by two ops (a U-Net skip) gets both gradients.
#pragma once
#include <string>
#include <vector>

#include "engine/context.hpp"

namespace aekit::engine {

struct Tensor {
    std::string name;
    int channels = 0;
    memory::dims dims;   // N x C x H x W, set at finalize
    memory value;
    std::vector<memory> diffSlots;  // training: one per consumer; slot 0 holds the sum after gather
    int consumers = 0;
    bool needsDiff = true;          // false for the network input unless its gradient is requested

    int addConsumer() { return consumers++; }
    const memory& diff() const { return diffSlots.at(0); }
    const memory& diffSlot(int i) const { return diffSlots.at(static_cast<size_t>(i)); }
    memory::desc desc() const { return value.get_desc(); }
    int N() const { return static_cast<int>(dims[0]); }
    int H() const { return static_cast<int>(dims[2]); }
    int W() const { return static_cast<int>(dims[3]); }
};

}  // namespace aekit::engine
