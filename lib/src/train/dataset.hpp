// SPDX-License-Identifier: Apache-2.0
// Training data: images decoded once and cached (up to a byte budget), paired targets matched by
// relative path, and batches of random augmented patches that are a pure function of (seed, step),
// so a resumed run sees exactly the batches an uninterrupted one would. A prefetcher builds them on
// background threads.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aekit/image.hpp"

namespace aekit::training {

// How every image of a set is resized as it is decoded (0: not).
struct Resize {
    int shortSide = 0;  // > 0: resized so that its shorter side has this many pixels (whole scenes at one scale)
    int longSide = 0;   // > 0: shrunk so that its longer side has at most this many pixels (a colorizer's working size)
};

class ImageSet {
public:
    // paths: images; targets: same length (paired) or empty. Decodes everything up front on
    // `threads` threads, keeping up to cacheBytes decoded; throws Error naming the first bad file.
    // Every image (and target) is resized by `resize` as decoded.
    ImageSet(std::vector<std::string> paths, std::vector<std::string> targets, uint64_t cacheBytes, uint64_t maxPixels,
             int threads, Resize resize = {});
    size_t size() const { return paths_.size(); }
    bool paired() const { return !targets_.empty(); }
    // The image (and its target when paired); decoded again if it did not fit the cache. A file that
    // became unreadable or changed size since it was first decoded throws Error(BadFile) naming it.
    std::shared_ptr<const Image> image(size_t i) const;
    std::shared_ptr<const Image> target(size_t i) const;
    const std::string& path(size_t i) const { return paths_[i]; }
    int minSide() const { return minSide_; }
    const std::string& smallest() const { return smallest_; }
    // Leaves out the images whose shorter side is under `side` (and their targets); returns their
    // paths, in order. The set keeps the others' order, so batches stay a function of (seed, step).
    std::vector<std::string> leaveOutSmallerThan(int side);

private:
    void findSmallest();
    std::vector<std::string> paths_, targets_;
    std::vector<std::shared_ptr<const Image>> cache_, targetCache_;
    std::vector<std::pair<int, int>> sizes_;  // width, height as first decoded
    uint64_t maxPixels_;
    Resize resize_;
    int minSide_ = 0;
    std::string smallest_;
};

// One batch: plain NCHW inputs and targets (or class labels) for the network.
struct Batch {
    std::vector<float> input, target;
    std::vector<int32_t> labels;  // N x K x H x W (K = 1, or 4 with soft labels)
    std::vector<float> labelShares;  // soft labels: the same shape
};

// Builds batch k in slots of a ring on background threads; get(k) blocks until it is ready.
class Prefetcher {
public:
    using Maker = std::function<void(int64_t step, Batch& out)>;
    Prefetcher(Maker make, int threads, int depth, int64_t firstStep);
    ~Prefetcher();
    // Batch `step`; steps must be requested in order. Valid until the next get(). Rethrows what
    // making that batch threw (a training image that changed on disk).
    const Batch& get(int64_t step, double* waitedSeconds);

private:
    void work();
    Maker make_;
    int depth_;
    std::vector<Batch> slots_;
    std::vector<int64_t> ready_;  // step held by each slot, -1 when none
    std::vector<std::exception_ptr> errors_;  // what making a slot's batch threw (rethrown by get)
    int64_t next_;                // next step a worker will build
    int64_t consumed_;            // steps below this are released
    bool stopping_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::thread> workers_;
};

}  // namespace aekit::training
