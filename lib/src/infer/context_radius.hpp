// SPDX-License-Identifier: Apache-2.0
// How far a trained network's output at a pixel depends on its input, measured rather than taken
// from the receptive field: tiles then overlap by what the network uses, not by half of what it
// could see (a U-Net's 202-px field, whose outer rings carry almost no weight).
#pragma once
#include "aekit/model.hpp"
#include "aekit/network.hpp"

namespace aekit::infer {

// Half an 8-bit level: a tiled output then rounds to the whole image's, or one level from it.
constexpr float kContextTolerance = 0.5f / 255;

// The smallest radius r (a multiple of the alignment, at most the receptive field's half rounded
// up) such that the output on an aligned block (4 x 4 alignment steps), computed from a tile that holds only r pixels of
// context around the block, differs from the output computed with all the context by at most
// `tolerance` on every channel, for probe images of noisy edges, gradients and texture. This is
// exactly the situation of a kept pixel at `r` from a tile's edge. The network's shape is left set
// to the last probe's.
int measureContextRadius(Network& net, float tolerance);
// The network's buffers for the measurement's largest probe (it runs the network on it): a very
// wide network's probes cost gigabytes, so callers skip measuring beyond their budget and keep the
// receptive field's half, which is always enough.
uint64_t contextProbeBytes(Network& net);

// The model file's record of it: metadata "aekit.context", {"radius": R, "tolerance": T}, written
// by training (aekit::contextMetadata). -1 when absent, malformed, or measured at another tolerance.
int storedContextRadius(const Model& model);

}  // namespace aekit::infer
