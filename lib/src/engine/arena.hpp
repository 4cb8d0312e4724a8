// SPDX-License-Identifier: Apache-2.0
// Inference buffers planned by lifetime: every activation is live from the step that writes it to
// the last step that reads it, and buffers whose lifetimes do not overlap share bytes of one block
// (as Open Image Denoise plans its scratch). Ops allocate through the Context as usual; the graph
// marks when each buffer is read, then place() lays them out and binds their data handles.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

namespace aekit::engine {

// A buffer's size and the steps it is live in (first and last inclusive).
struct Lifetime {
    size_t bytes = 0;
    int first = 0, last = 0;
};

// Offsets for the buffers, each a multiple of `alignment`, such that two buffers whose lifetimes
// overlap never overlap in bytes; largest first, each at the lowest offset that fits (greedy by
// size). *total: the bytes the block needs.
std::vector<size_t> planOffsets(const std::vector<Lifetime>& buffers, size_t alignment, size_t* total);

class Arena {
public:
    // A buffer for md that is live at step `time`; its data handle is bound by place().
    dnnl::memory add(const dnnl::memory::desc& md, const dnnl::engine& eng, int time);
    // A view of base's bytes from `offset` on with another descriptor (a channel slice): bound with base.
    dnnl::memory alias(const dnnl::memory& base, const dnnl::memory::desc& md, const dnnl::engine& eng, size_t offset = 0);
    // One of add()'s buffers no step uses any more (its op writes into a view instead): planned empty.
    void drop(const dnnl::memory& m);
    // A buffer live for the whole run (the caller's edges, the scratchpad): it shares the block
    // but no bytes with anything else.
    dnnl::memory addWhole(const dnnl::memory::desc& md, const dnnl::engine& eng);
    // base (one of add()'s buffers) is also read or written at step `time`.
    void use(const dnnl::memory& base, int time);
    bool holds(const dnnl::memory& m) const { return index_.count(m.get()) > 0; }

    // Lays the buffers out, reuses the block when it holds them (and is at most 8 times what they
    // need: a folder's small images after a large one reuse its pages, a far smaller run gets its
    // own) or allocates a new one with a quarter more room (a folder of growing sizes then
    // reallocates rarely: every fresh page costs a fault), and binds every handle. Returns the bytes
    // planned.
    size_t place();
    // Forgets the buffers (a new shape); the block stays for the next place().
    void clear();
    size_t plannedBytes() const { return planned_; }
    size_t capacity() const { return capacity_; }

private:
    struct Buffer {
        dnnl::memory mem;
        Lifetime life;
    };
    std::vector<Buffer> buffers_;
    struct Alias {
        dnnl::memory view;
        size_t base, offset;  // index of its base, bytes into it
    };
    std::vector<Alias> aliases_;
    std::unordered_map<dnnl_memory_t, size_t> index_;
    struct Free {
        void operator()(void* p) const;
    };
    std::unique_ptr<void, Free> block_;
    size_t capacity_ = 0, planned_ = 0;
};

}  // namespace aekit::engine
