// SPDX-License-Identifier: Apache-2.0
// One training step: forward, loss, backward, gradient clipping and the optimiser's update. The
// trainer, `aekit bench` and the tests all step through this one function.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "aekit/loss.hpp"
#include "aekit/network.hpp"
#include "aekit/optimizer.hpp"

namespace aekit {

// What a step minimises.
struct Objective {
    LossKind loss = LossKind::MSE;  // reconstruction loss against StepData::target
    Sparsity sparsity;              // penalty on the code (the network must have requestCodeGradient())
    // Set: softmax cross-entropy over the output's channels against StepData::labels, each pixel
    // weighted by its class's weight (colorization by classification); `loss` is then unused.
    const float* classWeights = nullptr;
};

// One batch, in the network's shape (setShape): input N x inChannels x H x W plain NCHW; target
// N x outChannels x H x W (regression) or labels N x H x W (classification).
struct StepData {
    const float* input = nullptr;
    const float* target = nullptr;
    const int32_t* labels = nullptr;     // N x labelsPerPixel x H x W
    const float* labelShares = nullptr;  // the same shape: soft labels' shares (null: one label, share 1)
    int labelsPerPixel = 1;
};

struct StepResult {
    double loss = 0;          // the objective's value before the update
    double gradientNorm = 0;  // global L2 norm of the gradients before clipping
};

// Data-parallel training: called between backward and clipping with every parameter gradient and
// the step's loss, to replace both with their means over the job's ranks (the trainer's fused
// allreduce). Empty: this process's batch is the whole batch.
using GradientReduce = std::function<void(std::vector<ParamView>& params, double& loss)>;

// Throws Error(Internal) naming the step count if the loss (after reduce) is not finite; the
// weights are then left as they were before this step.
StepResult trainStep(Network& net, Optimizer& optimizer, const Objective& objective, const StepData& data, double lr,
                     double clip, const GradientReduce& reduce = {});

}  // namespace aekit
