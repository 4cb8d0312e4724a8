// SPDX-License-Identifier: Apache-2.0
// Starting weights for `train --init`: a model's own weights, or a deeper network grown from them.
#pragma once
#include "aekit/architecture.hpp"
#include "aekit/weights.hpp"

namespace aekit::training {

// Whether `to` is `from` with more 3x3 convolutions per level and nothing else changed.
bool isDeeperVersion(const Architecture& from, const Architecture& to);

// The weights a network of `to` starts from: every tensor `from` has, copied; each convolution
// only `to` has (the extra ones at the end of each level's block, all C -> C) set to the identity
// with zero bias. Each follows a ReLU, whose output is non-negative, so identity-then-ReLU passes
// it through unchanged and the grown network computes exactly what the model did (Net2DeeperNet,
// Chen et al. 2016). `fresh` holds the new network's own initial weights (for the names and shapes).
WeightMap deepenedWeights(const WeightMap& from, WeightMap fresh);

}  // namespace aekit::training
