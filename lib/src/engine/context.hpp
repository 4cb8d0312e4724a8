// SPDX-License-Identifier: Apache-2.0
// oneDNN plumbing shared by every op: engine, stream, the graph's activation layout, one
// user-mode scratchpad, and the reorder helper. No network logic here.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/arena.hpp"

namespace aekit::engine {

using dnnl::memory;
using Args = std::unordered_map<int, memory>;

dnnl::engine& cpuEngine();

// The blocked activation layout oneDNN's JIT convolutions take on this CPU: channels in blocks of
// the vector width, 16 floats with AVX-512 (nChw16c), 8 with AVX2 (nChw8c). On AVX2, nChw16c
// activations send every convolution to ref:any, about 100x slower (docs/onednn.md).
memory::format_tag blockedLayout();
int channelBlock();  // 16 or 8
// Whether this CPU runs the AVX-512 kernels (Winograd, brgconv, bf16 need them).
bool hasAvx512();

// One primitive execution, built at finalize time and replayed every step.
struct Step {
    dnnl::primitive prim;
    Args args;
    bool scratchpad = false;  // built with user scratchpad: the graph binds its buffer here
    // args in the C API's form, built on the first run: the C++ execute() would build this vector on
    // every call, an allocation per primitive per step. Cleared whenever args change.
    mutable std::vector<dnnl_exec_arg_t> cArgs;
};

struct Context {
    dnnl::engine eng = cpuEngine();
    dnnl::stream strm{cpuEngine()};
    bool training = false;
    // One activation layout per graph (docs/onednn.md): blocked (blockedLayout()) for training and for
    // Winograd inference, nhwc for brgconv (direct) inference.
    memory::format_tag layout = memory::format_tag::nhwc;
    // f32 3x3 convolutions may run on Winograd where it is faster (ops/conv.cpp says where).
    bool winograd = false;
    // Activations, their gradients and the weights the primitives read: f32, or bf16 on CPUs with
    // AVX512-BF16 (master weights, biases and weight gradients stay f32).
    memory::data_type dtype = memory::data_type::f32;
    size_t scratchpadBytes = 0;
    // How many layouts of its prepared weights a convolution keeps across shapes (the current one
    // included; Winograd's layout follows the shape).
    size_t keptWeightLayouts = 3;

    memory::desc activation(const memory::dims& dims) const { return memory::desc(dims, dtype, layout); }
    // Attributes every primitive gets: user scratchpad (sized by noteScratchpad).
    dnnl::primitive_attr attr() const {
        dnnl::primitive_attr a;
        a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        return a;
    }
    void noteScratchpad(const dnnl::primitive_desc_base& pd) {
        scratchpadBytes = std::max(scratchpadBytes, pd.scratchpad_desc().get_size());
    }
    // Buffers that depend on the input shape (activations, gradients, workspaces, copies), counted
    // so that tiled inference can size its tiles from what a shape really costs.
    size_t allocatedBytes = 0;
    // Inference: activations go to the arena, live at step `now` and wherever the graph later says
    // they are read; the graph places them once all ops are built (allocatedBytes counts the plan).
    Arena* arena = nullptr;
    int now = 0;
    memory alloc(const memory::desc& md) {
        if (arena) return arena->add(md, eng, now);
        return allocOwn(md);
    }
    // A buffer live for the whole run (the caller's edges, the scratchpad): in the arena's block when
    // there is one, so that a new shape reuses its pages.
    memory allocWhole(const memory::desc& md) {
        if (arena) return arena->addWhole(md, eng);
        return allocOwn(md);
    }
    // A buffer of its own, outside the arena.
    memory allocOwn(const memory::desc& md) {
        allocatedBytes += md.get_size();
        return memory(md, eng);
    }
    // md on base's bytes (a channel slice of a concat's destination).
    memory view(const memory& base, const memory::desc& md) {
        if (arena && arena->holds(base)) return arena->alias(base, md, eng);
        return memory(md, eng, base.get_data_handle());
    }
};

// A reorder step from src to dst (layout change or a plain copy).
void appendReorder(std::vector<Step>& steps, const memory& src, const memory& dst);

// Executes the steps in order and waits; a failed execution throws Error(Engine) naming the primitive.
void run(dnnl::stream& strm, const std::vector<Step>& steps);

// A buffer in layout `wanted` for a plain parameter tensor: the plain memory itself when the layouts
// agree, else a new buffer and a reorder appended to `steps` (plain -> wanted, or wanted -> plain
// when toPlain, for gradients).
memory layoutFor(std::vector<Step>& steps, const memory& plain, const memory::desc& wanted, bool toPlain);

std::string describe(const memory::desc& md);  // "16x32x64x64 nChw16c" for messages
// Bytes of the user scratchpad a step's primitive needs (0: none).
size_t scratchpadBytes(const Step& step);
// The oneDNN implementation a step runs, e.g. "jit_wino_4x3:avx512_core" (for tests and benches).
std::string implementation(const Step& step);

}  // namespace aekit::engine
