// SPDX-License-Identifier: Apache-2.0
// ImageSet and Prefetcher (see dataset.hpp).
#include "train/dataset.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "aekit/error.hpp"

namespace aekit::training {

namespace {

// The image resized so that its shorter side is `side` pixels (0: as it is).
Image toShortSide(Image im, int side) {
    if (side <= 0 || std::min(im.width, im.height) == side) return im;
    const double s = double(side) / std::min(im.width, im.height);
    const int w = im.width <= im.height ? side : std::max(side, int(std::lround(im.width * s)));
    const int h = im.height < im.width ? side : std::max(side, int(std::lround(im.height * s)));
    return resizeImage(im, w, h);
}

// The image shrunk so that its longer side is at most `side` pixels (0: as it is).
Image toLongSide(Image im, int side) {
    if (side <= 0 || std::max(im.width, im.height) <= side) return im;
    const double s = double(side) / std::max(im.width, im.height);
    const int w = im.width >= im.height ? side : std::max(1, int(std::lround(im.width * s)));
    const int h = im.height > im.width ? side : std::max(1, int(std::lround(im.height * s)));
    return resizeImage(im, w, h);
}

Image resized(Image im, Resize r) { return toLongSide(toShortSide(std::move(im), r.shortSide), r.longSide); }

}  // namespace

ImageSet::ImageSet(std::vector<std::string> paths, std::vector<std::string> targets, uint64_t cacheBytes,
                   uint64_t maxPixels, int threads, Resize resize)
    : paths_(std::move(paths)), targets_(std::move(targets)), maxPixels_(maxPixels), resize_(resize) {
    const size_t n = paths_.size();
    cache_.resize(n);
    targetCache_.resize(targets_.empty() ? 0 : n);
    std::vector<std::string> errors(n);
    sizes_.resize(n);
    std::atomic<size_t> nextIndex{0};
    std::atomic<uint64_t> used{0};
    ReadOptions ro;
    ro.maxPixels = maxPixels;
    auto worker = [&] {
        for (size_t i; (i = nextIndex++) < n;) {
            try {
                auto im = std::make_shared<Image>(resized(readImage(paths_[i], ro), resize_));
                const uint64_t bytes = im->pixels.size() * sizeof(float);
                std::shared_ptr<Image> t;
                if (!targets_.empty()) {
                    t = std::make_shared<Image>(resized(readImage(targets_[i], ro), resize_));
                    if (t->width != im->width || t->height != im->height)
                        fail(ErrorKind::InvalidArgument,
                             targets_[i] + ": target is " + std::to_string(t->width) + "x" + std::to_string(t->height) +
                                 ", its input " + paths_[i] + " is " + std::to_string(im->width) + "x" +
                                 std::to_string(im->height));
                }
                sizes_[i] = {im->width, im->height};  // as cached (after resizing)
                if (used.fetch_add(bytes * (t ? 2 : 1)) + bytes * (t ? 2 : 1) <= cacheBytes) {
                    cache_[i] = im;
                    if (t) targetCache_[i] = t;
                }
            } catch (const Error& e) {
                errors[i] = e.what();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, threads); ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    for (size_t i = 0; i < n; ++i)
        if (!errors[i].empty()) fail(ErrorKind::BadFile, errors[i]);
    findSmallest();
}

void ImageSet::findSmallest() {
    minSide_ = INT32_MAX;
    smallest_.clear();
    for (size_t i = 0; i < paths_.size(); ++i)
        if (const int side = std::min(sizes_[i].first, sizes_[i].second); side < minSide_) {
            minSide_ = side;
            smallest_ = paths_[i];
        }
}

std::vector<std::string> ImageSet::leaveOutSmallerThan(int side) {
    std::vector<std::string> out;
    size_t kept = 0;
    for (size_t i = 0; i < paths_.size(); ++i) {
        if (std::min(sizes_[i].first, sizes_[i].second) < side) {
            out.push_back(paths_[i]);
            continue;
        }
        paths_[kept] = std::move(paths_[i]);
        cache_[kept] = std::move(cache_[i]);
        sizes_[kept] = sizes_[i];
        if (!targets_.empty()) {
            targets_[kept] = std::move(targets_[i]);
            targetCache_[kept] = std::move(targetCache_[i]);
        }
        ++kept;
    }
    paths_.resize(kept);
    cache_.resize(kept);
    sizes_.resize(kept);
    if (!targets_.empty()) {
        targets_.resize(kept);
        targetCache_.resize(kept);
    }
    findSmallest();
    return out;
}

namespace {

// Decodes a training image again (it did not fit the cache), checking it is the image first decoded.
std::shared_ptr<const Image> decodeAgain(const std::string& path, std::pair<int, int> size, uint64_t maxPixels,
                                         Resize resize) {
    ReadOptions ro;
    ro.maxPixels = maxPixels;
    ro.captureLibraryMessages = false;  // the training loop prints meanwhile; the file decoded cleanly before
    std::shared_ptr<Image> im;
    try {
        im = std::make_shared<Image>(resized(readImage(path, ro), resize));
    } catch (const Error& e) {
        fail(ErrorKind::BadFile, std::string(e.what()) + " (it changed on disk during training)");
    }
    if (im->width != size.first || im->height != size.second)
        fail(ErrorKind::BadFile, path + ": changed on disk during training (was " + std::to_string(size.first) + "x" +
                                     std::to_string(size.second) + ", now " + std::to_string(im->width) + "x" +
                                     std::to_string(im->height) + ")");
    return im;
}

}  // namespace

std::shared_ptr<const Image> ImageSet::image(size_t i) const {
    if (cache_[i]) return cache_[i];
    return decodeAgain(paths_[i], sizes_[i], maxPixels_, resize_);
}

std::shared_ptr<const Image> ImageSet::target(size_t i) const {
    if (targets_.empty()) fail(ErrorKind::Internal, "target() on an unpaired image set");
    if (targetCache_[i]) return targetCache_[i];
    return decodeAgain(targets_[i], sizes_[i], maxPixels_, resize_);
}

Prefetcher::Prefetcher(Maker make, int threads, int depth, int64_t firstStep)
    : make_(std::move(make)), depth_(depth), slots_(size_t(depth)), ready_(size_t(depth), -1), errors_(size_t(depth)), next_(firstStep),
      consumed_(firstStep) {
    for (int t = 0; t < std::max(1, threads); ++t) workers_.emplace_back([this] { work(); });
}

Prefetcher::~Prefetcher() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
}

void Prefetcher::work() {
    for (;;) {
        int64_t step;
        {
            std::unique_lock<std::mutex> lock(mu_);
            // A slot is free once the consumer has moved past the step it held.
            cv_.wait(lock, [&] { return stopping_ || next_ < consumed_ + depth_; });
            if (stopping_) return;
            step = next_++;
        }
        Batch& slot = slots_[size_t(step % depth_)];
        std::exception_ptr error;
        try {
            make_(step, slot);
        } catch (...) {
            error = std::current_exception();  // handed to the consumer by get()
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            errors_[size_t(step % depth_)] = error;
            ready_[size_t(step % depth_)] = step;
        }
        cv_.notify_all();
    }
}

const Batch& Prefetcher::get(int64_t step, double* waitedSeconds) {
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    if (step > consumed_) {
        consumed_ = step;  // release the previous slot
        cv_.notify_all();
    }
    cv_.wait(lock, [&] { return ready_[size_t(step % depth_)] == step; });
    if (waitedSeconds) *waitedSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (errors_[size_t(step % depth_)]) std::rethrow_exception(errors_[size_t(step % depth_)]);
    return slots_[size_t(step % depth_)];
}

}  // namespace aekit::training
