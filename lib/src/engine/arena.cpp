// SPDX-License-Identifier: Apache-2.0
// Lifetime planning of inference buffers (see arena.hpp).
#include "engine/arena.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstdint>
#include <numeric>
#include <utility>

#include <sys/mman.h>

#include "aekit/error.hpp"
#include "core/huge_pages.hpp"

namespace aekit::engine {

namespace {
constexpr size_t kAlignment = 64;  // a cache line and an AVX-512 vector: what oneDNN's kernels want
// Blocks are aligned to 2 MB and offered to the kernel as huge pages: a block's first touch then
// faults once per 2 MB instead of once per 4 KB (measured: a folder of 20 photos of 16 sizes took
// 916,000 page faults, most of its time, where one size took 97,000).
constexpr size_t kHugePage = 2u << 20;
size_t roundUp(size_t v, size_t m) { return (v + m - 1) / m * m; }
}  // namespace

std::vector<size_t> planOffsets(const std::vector<Lifetime>& buffers, size_t alignment, size_t* total) {
    std::vector<size_t> order(buffers.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
    std::vector<size_t> offsets(buffers.size(), 0);
    std::vector<size_t> placed;  // indices already given an offset
    size_t end = 0;
    for (size_t i : order) {
        const Lifetime& b = buffers[i];
        const size_t bytes = roundUp(std::max<size_t>(b.bytes, 1), alignment);
        // The byte ranges of placed buffers live at the same time, by offset; take the lowest gap.
        std::vector<std::pair<size_t, size_t>> busy;
        for (size_t j : placed)
            if (buffers[j].first <= b.last && b.first <= buffers[j].last)
                busy.push_back({offsets[j], offsets[j] + roundUp(std::max<size_t>(buffers[j].bytes, 1), alignment)});
        std::sort(busy.begin(), busy.end());
        size_t at = 0;
        for (const auto& [lo, hi] : busy) {
            if (lo >= at + bytes) break;
            at = std::max(at, hi);
        }
        offsets[i] = at;
        end = std::max(end, at + bytes);
        placed.push_back(i);
    }
    if (total) *total = end;
    return offsets;
}

Arena::Block::Block(size_t n) : bytes(n) {
    // Mapped with a huge page's worth to spare and trimmed to a 2-MB-aligned start, so that every
    // 2 MB of it can be a huge page.
    void* p = mmap(nullptr, n + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) fail(ErrorKind::Engine, "out of memory: the network's buffers need " + std::to_string(n >> 20) + " MB");
    const uintptr_t start = reinterpret_cast<uintptr_t>(p), aligned = roundUp(start, kHugePage);
    if (aligned > start) munmap(p, aligned - start);
    munmap(reinterpret_cast<void*>(aligned + n), start + kHugePage - aligned);  // the rest of the spare
    data = reinterpret_cast<char*>(aligned);
    core::adviseHugePages(data, n);
}
Arena::Block::Block(Block&& o) noexcept : data(std::exchange(o.data, nullptr)), bytes(std::exchange(o.bytes, 0)), touched(std::exchange(o.touched, 0)) {}
Arena::Block& Arena::Block::operator=(Block&& o) noexcept {
    if (this != &o) {
        if (data) munmap(data, bytes);
        data = std::exchange(o.data, nullptr);
        bytes = std::exchange(o.bytes, 0);
        touched = std::exchange(o.touched, 0);
    }
    return *this;
}
Arena::Block::~Block() {
    if (data) munmap(data, bytes);
}

dnnl::memory Arena::add(const dnnl::memory::desc& md, const dnnl::engine& eng, int time) {
    dnnl::memory m(md, eng, DNNL_MEMORY_NONE);
    index_[m.get()] = buffers_.size();
    buffers_.push_back({m, {md.get_size(), time, time}});
    return m;
}

dnnl::memory Arena::addWhole(const dnnl::memory::desc& md, const dnnl::engine& eng) {
    dnnl::memory m = add(md, eng, 0);
    buffers_.back().life.last = INT_MAX;
    return m;
}

dnnl::memory Arena::alias(const dnnl::memory& base, const dnnl::memory::desc& md, const dnnl::engine& eng, size_t offset) {
    const auto it = index_.find(base.get());
    if (it == index_.end()) fail(ErrorKind::Internal, "Arena::alias: the base buffer is not planned here");
    if (offset + md.get_size() > buffers_[it->second].life.bytes) fail(ErrorKind::Internal, "Arena::alias: the view runs past its base");
    dnnl::memory m(md, eng, DNNL_MEMORY_NONE);
    aliases_.push_back({m, it->second, offset});
    return m;
}

void Arena::drop(const dnnl::memory& m) {
    const auto it = index_.find(m.get());
    if (it == index_.end()) fail(ErrorKind::Internal, "Arena::drop: the buffer is not planned here");
    buffers_[it->second].life.bytes = 0;
}

void Arena::use(const dnnl::memory& base, int time) {
    const auto it = index_.find(base.get());
    if (it == index_.end()) return;  // a buffer of its own (caller edges, weights)
    Lifetime& l = buffers_[it->second].life;
    l.first = std::min(l.first, time);
    l.last = std::max(l.last, time);
}

size_t Arena::place() {
    std::vector<Lifetime> lives;
    for (const Buffer& b : buffers_) lives.push_back(b.life);
    const std::vector<size_t> offsets = planOffsets(lives, kAlignment, &planned_);
    const size_t limit = roundUp(limit_, kHugePage), need = roundUp(std::max<size_t>(planned_, 1), kHugePage);
    if (planned_ > block_.bytes || (!limit && block_.bytes > 8 * planned_)) {
        block_ = Block();  // the old block goes before the new one is mapped
        block_ = Block(limit ? std::max(need, limit) : roundUp(planned_ + planned_ / 4 + 1, kHugePage));
    } else if (limit && block_.touched > std::max(need, limit)) {
        const size_t keep = std::max(need, limit);
        madvise(block_.data + keep, block_.touched - keep, MADV_DONTNEED);
        block_.touched = keep;
    }
    block_.touched = std::max(block_.touched, planned_);
    char* base = block_.data;
    for (size_t i = 0; i < buffers_.size(); ++i) buffers_[i].mem.set_data_handle(base + offsets[i]);
    for (auto& a : aliases_) a.view.set_data_handle(base + offsets[a.base] + a.offset);
    return planned_;
}

void Arena::clear() {
    buffers_.clear();
    aliases_.clear();
    index_.clear();
    planned_ = 0;
}

}  // namespace aekit::engine
