// SPDX-License-Identifier: Apache-2.0
// Optimisers (Adam, AdamW, SGD with momentum), learning-rate schedules and gradient clipping, all
// over the network's plain parameter views. The state travels in checkpoints.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "aekit/network.hpp"
#include "aekit/weights.hpp"

namespace aekit {

struct OptimizerConfig {
    enum class Kind { Adam, AdamW, SGD } kind = Kind::Adam;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    double weightDecay = 0;  // AdamW: decoupled; SGD/Adam: L2 added to the gradient
    double momentum = 0.9;   // SGD
    static Kind parseKind(const std::string& s);
};

class Optimizer {
public:
    // Updates every parameter of `net`, which must outlive the optimiser.
    Optimizer(const OptimizerConfig& config, Network& net);
    // One update of every parameter from its current gradient, at learning rate lr; the network
    // then re-derives its weight layouts before its next forward pass (no call needed).
    void step(double lr);
    std::vector<ParamView>& params() { return params_; }
    int64_t steps() const { return t_; }
    // State for checkpoints: tensors named "opt.m.<param>", "opt.v.<param>", plus the step count.
    WeightMap state() const;
    void setState(const WeightMap& state, int64_t steps);

private:
    OptimizerConfig config_;
    Network* net_;
    std::vector<ParamView> params_;
    std::vector<std::vector<float>> m_, v_;
    int64_t t_ = 0;
};

// Global L2 norm of all gradients; scales them down to maxNorm when above it (maxNorm <= 0: no clip).
double clipGradientNorm(std::vector<ParamView>& params, double maxNorm);

struct Schedule {
    enum class Kind { Cosine, Step, Constant } kind = Kind::Cosine;
    double baseLr = 1e-3;
    double minLr = 1e-5;       // cosine floor
    int64_t warmupSteps = 0;   // linear from 0 to baseLr
    int64_t totalSteps = 1;
    int64_t stepEvery = 1000;  // Step: multiply by gamma every stepEvery steps
    double gamma = 0.5;
    double lrAt(int64_t step) const;  // step counts from 0
    static Kind parseKind(const std::string& s);
};

}  // namespace aekit
