// SPDX-License-Identifier: Apache-2.0
#include "train/init_weights.hpp"

#include <algorithm>

#include "aekit/error.hpp"

namespace aekit::training {

bool isDeeperVersion(const Architecture& from, const Architecture& to) {
    if (to.convsPerLevel <= from.convsPerLevel) return false;
    // Identity-then-activation is the identity only for ReLU after ReLU.
    if (to.activation != Activation::ReLU || to.codeActivation != Activation::ReLU) return false;
    Architecture same = from;
    same.convsPerLevel = to.convsPerLevel;
    return same.toJson() == to.toJson();
}

WeightMap deepenedWeights(const WeightMap& from, WeightMap fresh) {
    for (auto& [name, t] : fresh) {
        auto it = from.find(name);
        if (it != from.end()) {
            if (it->second.shape != t.shape) fail(ErrorKind::BadFile, "tensor '" + name + "' has another shape");
            t.data = it->second.data;
            continue;
        }
        std::fill(t.data.begin(), t.data.end(), 0.0f);
        if (t.shape.size() == 4) {  // OIHW: a 1 at the centre tap of output c's input c
            const int64_t O = t.shape[0], I = t.shape[1], H = t.shape[2], W = t.shape[3];
            if (O != I) fail(ErrorKind::InvalidArgument, "tensor '" + name + "': a new convolution must keep its channels");
            for (int64_t c = 0; c < O; ++c) t.data[size_t(((c * I + c) * H + H / 2) * W + W / 2)] = 1.0f;
        }
    }
    for (const auto& [name, t] : from)
        if (!fresh.count(name)) fail(ErrorKind::BadFile, "tensor '" + name + "' has no place in the deeper network");
    return fresh;
}

}  // namespace aekit::training
