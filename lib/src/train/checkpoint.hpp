// SPDX-License-Identifier: Apache-2.0
// What a training run leaves on disk besides its logs: the checkpoint (weights, optimiser state and
// the options an exact resume needs) and the model file with its provenance (aekit.training).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "aekit/model.hpp"
#include "aekit/network.hpp"
#include "aekit/optimizer.hpp"
#include "aekit/trainer.hpp"
#include "tasks/codec.hpp"

namespace aekit::training {

// The model file's aekit metadata for this run's task, architecture and colorize head.
Metadata modelMetadata(const TrainOptions& o, const tasks::ColorizeHead& head);

// Writes out + ".ckpt" atomically.
void saveCheckpoint(const TrainOptions& o, const tasks::ColorizeHead& head, const std::vector<float>& classWeights,
                    const Network& net, const Optimizer& opt, int64_t step, double seconds);

struct Resumed {
    int64_t step = 0;
    double seconds = 0;              // wall time of the earlier runs
    std::vector<float> classWeights; // colorize by classification
};
// Reads out + ".ckpt" into net and opt; refuses (naming the option) a checkpoint of another task,
// architecture, seed, batch, patch or noise.
Resumed resume(const TrainOptions& o, Network& net, Optimizer& opt, bool classify);

// What the model file says of the run that made it.
struct Provenance {
    size_t trainImages = 0, valImages = 0;
    std::vector<std::string> valFiles;
    std::string validation;  // the last validation's summary
    double valPsnr = 0;
};
// measureContext: also record how much context the network uses (infer/context_radius; seconds of
// work, so for the final model only).
void saveModel(const TrainOptions& o, const tasks::ColorizeHead& head, const Network& net, int64_t step,
               const Provenance& p, double seconds, bool measureContext = false);

}  // namespace aekit::training
