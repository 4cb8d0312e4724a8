// SPDX-License-Identifier: Apache-2.0
// Fused gradient allreduce (see train/gradient_sync.hpp).
#include "train/gradient_sync.hpp"

#include <algorithm>
#include <chrono>

#include "aekit/error.hpp"

namespace aekit::training {

namespace {
constexpr size_t kScalars = 4;  // room for the trainer's scalars at the end of the last bucket
}

GradientSync::GradientSync(const Cluster& cluster, const std::vector<ParamView>& params, size_t bucketBytes)
    : cluster_(cluster) {
    size_t total = 0;
    for (const auto& p : params) total += size_t(p.size);
    buffer_.resize(total + kScalars);
    const size_t perBucket = std::max<size_t>(1, bucketBytes / sizeof(float));
    for (size_t end = perBucket; end < buffer_.size(); end += perBucket) bucketEnds_.push_back(end);
    bucketEnds_.push_back(buffer_.size());
}

void GradientSync::reduce(std::vector<ParamView>& params, std::vector<double>& scalars) {
    if (scalars.size() > kScalars) fail(ErrorKind::Internal, "GradientSync: too many scalars");
    const auto start = std::chrono::steady_clock::now();
    float* at = buffer_.data();
    for (const auto& p : params) at = std::copy(p.grad, p.grad + p.size, at);
    const size_t scalarsAt = buffer_.size() - kScalars;
    for (size_t i = 0; i < kScalars; ++i) buffer_[scalarsAt + i] = i < scalars.size() ? float(scalars[i]) : 0.f;
    size_t begin = 0;
    for (size_t end : bucketEnds_) {
        cluster_.sum(buffer_.data() + begin, end - begin);
        begin = end;
    }
    const float scale = 1.f / float(cluster_.size());
    at = buffer_.data();
    for (auto& p : params) {
        std::transform(at, at + p.size, p.grad, [scale](float g) { return g * scale; });
        at += p.size;
    }
    for (size_t i = 0; i < scalars.size(); ++i) scalars[i] = double(buffer_[scalarsAt + i]);
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++calls_;
}

}  // namespace aekit::training
