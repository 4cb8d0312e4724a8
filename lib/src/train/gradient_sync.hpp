// SPDX-License-Identifier: Apache-2.0
// Data-parallel training's one collective per step: every rank's weight gradients (and a few
// scalars: the loss, a stop vote) summed over the job in a few large fused buffers, not one call
// per tensor, then divided by the rank count. Each rank's gradients are means over its share of
// the global batch, so their mean over ranks is the global batch's gradient.
#pragma once
#include <cstdint>
#include <vector>

#include "aekit/cluster.hpp"
#include "aekit/network.hpp"

namespace aekit::training {

class GradientSync {
public:
    // Buckets of at most bucketBytes each (the last one also carries the scalars).
    GradientSync(const Cluster& cluster, const std::vector<ParamView>& params, size_t bucketBytes = size_t(16) << 20);
    // Gradients become their mean over ranks; scalars become their sum.
    void reduce(std::vector<ParamView>& params, std::vector<double>& scalars);

    size_t buckets() const { return bucketEnds_.size(); }
    int64_t bytesPerStep() const { return int64_t(buffer_.size() * sizeof(float)); }
    double seconds() const { return seconds_; }  // in the collective, waiting for the slowest rank included
    int64_t calls() const { return calls_; }

private:
    const Cluster& cluster_;
    std::vector<float> buffer_;      // every gradient end to end, then the scalars
    std::vector<size_t> bucketEnds_; // buffer offsets where each bucket ends
    double seconds_ = 0;
    int64_t calls_ = 0;
};

}  // namespace aekit::training
