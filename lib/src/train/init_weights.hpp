// SPDX-License-Identifier: Apache-2.0
// Starting weights for `train --init`: a model's own weights, or a deeper network grown from them.
#pragma once
#include "aekit/architecture.hpp"
#include "aekit/weights.hpp"

namespace aekit::training {

// Whether `to` is `from` with more 3x3 convolutions per level and nothing else changed.
bool isDeeperVersion(const Architecture& from, const Architecture& to);

// The weights a network of `to` starts from, layer by layer of to.layers(): every tensor `from`
// has, copied; each convolution only `to` has (the extra ones at the end of each level's block,
// all C -> C) set to the identity with zero bias. Each follows a ReLU, whose output is
// non-negative, so identity-then-ReLU passes it through unchanged and the grown network computes
// exactly what the model did (Net2DeeperNet, Chen et al. 2016). Throws Error if a tensor of `from`
// has no place in `to` or a new convolution would change its channels.
WeightMap deepenedWeights(const Architecture& to, const WeightMap& from);

}  // namespace aekit::training
