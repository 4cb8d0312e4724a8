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

    // Lays the buffers out in the block and binds every handle; returns the bytes planned. Every
    // fresh page costs a fault and its zeroing, so the block is kept from one shape to the next:
    // - under a limit (setLimit), the block is mapped as large as the limit and kept while it holds
    //   the buffers; only the pages a shape touches become resident, and those beyond both the
    //   limit and this shape's buffers are handed back (madvise), so the block grows and shrinks in
    //   place (measured: 200 small photos of mixed sizes reallocated it about 40 times, 7.4-10.5 s of
    //   system time, when a tiny photo between two others threw it away);
    // - without one, a new block has a quarter more room than needed (a run of growing sizes
    //   reallocates rarely) and is kept while at most 8 times what is needed.
    size_t place();
    // The most bytes the block may keep resident beside a shape's own need (0: no limit).
    void setLimit(size_t bytes) { limit_ = bytes; }
    // Forgets the buffers (a new shape); the block stays for the next place().
    void clear();
    // Forgets the buffers and hands the block back.
    void release() {
        clear();
        block_ = Block();
    }
    size_t plannedBytes() const { return planned_; }
    size_t capacity() const { return block_.bytes; }
    const void* blockData() const { return block_.data; }

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
    struct Block {
        char* data = nullptr;
        size_t bytes = 0;  // mapped
        size_t touched = 0;  // bytes from the start that may be resident
        Block() = default;
        explicit Block(size_t bytes);
        Block(Block&& o) noexcept;
        Block& operator=(Block&& o) noexcept;
        ~Block();
    };
    Block block_;
    size_t planned_ = 0, limit_ = 0;
};

}  // namespace aekit::engine
