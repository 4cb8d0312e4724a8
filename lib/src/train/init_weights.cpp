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

WeightMap deepenedWeights(const Architecture& to, const WeightMap& from) {
    WeightMap grown;
    const auto shapes = to.tensorShapes();
    for (const Layer& layer : to.layers()) {
        if (!layer.hasWeights()) continue;
        for (const char* part : {".weight", ".bias"}) {
            const std::string name = layer.name + part;
            auto shape = shapes.find(name);
            if (shape == shapes.end()) continue;  // a deconvolution has no bias
            HostTensor t;
            t.shape = shape->second;
            auto it = from.find(name);
            if (it != from.end()) {
                if (it->second.shape != t.shape) fail(ErrorKind::BadFile, "tensor '" + name + "' has another shape");
                t.data = it->second.data;
            } else {
                if (layer.kind != LayerKind::Conv3x3 || layer.inChannels != layer.outChannels)
                    fail(ErrorKind::InvalidArgument, "layer '" + layer.name + "': a new convolution must keep its channels");
                int64_t size = 1;
                for (int64_t d : t.shape) size *= d;
                t.data.assign(size_t(size), 0.0f);
                if (t.shape.size() == 4)  // OIHW: a 1 at the centre tap of output c's input c
                    for (int64_t c = 0; c < layer.outChannels; ++c) t.data[size_t(((c * layer.inChannels + c) * 3 + 1) * 3 + 1)] = 1.0f;
            }
            grown.emplace(name, std::move(t));
        }
    }
    for (const auto& [name, t] : from)
        if (!grown.count(name)) fail(ErrorKind::BadFile, "tensor '" + name + "' has no place in the deeper network");
    return grown;
}

}  // namespace aekit::training
