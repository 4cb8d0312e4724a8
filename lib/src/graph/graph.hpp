// SPDX-License-Identifier: Apache-2.0
// A small dataflow graph of ops in build order: the builder adds ops, finalize(N, H, W) builds
// every primitive and buffer once, forward/backward replay them. Edges to the caller are plain NCHW
// float buffers; inside, one activation layout (see engine/context.hpp).
#pragma once
#include <memory>
#include <vector>

#include "ops/conv.hpp"
#include "ops/op.hpp"

namespace aekit::graph {

using engine::memory;
using engine::Tensor;

class Graph {
public:
    // bf16: activations, gradients and primitive weights in bf16 (oneDNN's AVX512-BF16 kernels).
    // winograd: f32 3x3 convolutions may use Winograd (see Conv); the graph is then blocked
    // (nChw16c) in inference too, the only layout oneDNN's Winograd takes.
    explicit Graph(bool training, bool bf16 = false, bool winograd = false);

    // Building (before finalize). Each returns the op's destination tensor.
    Tensor* input(int channels);
    Tensor* conv(const std::string& name, Tensor* src, int OC, int K, Activation activation);
    Tensor* maxPool(const std::string& name, Tensor* src);
    Tensor* upsample(const std::string& name, Tensor* src, bool bilinear);
    Tensor* deconv(const std::string& name, Tensor* src, int OC);
    Tensor* concat(const std::string& name, std::vector<Tensor*> srcs);
    Tensor* binary(const std::string& name, Tensor* a, Tensor* b, bool subtract);
    Tensor* eltwise(const std::string& name, Tensor* src, Activation activation);
    void setOutput(Tensor* t);
    void setCode(Tensor* t);
    void requestInputGradient();
    void requestCodeGradient();

    // Build all primitives and buffers for N x C x H x W inputs; a repeat with the same shape is free.
    // Throws Error(Engine) naming the layer oneDNN refused.
    void finalize(int N, int H, int W);
    bool finalized() const { return finalized_; }
    const memory::dims& inputDims() const { return input_->dims; }

    float* inputBuffer();             // plain NCHW, written by the caller
    const float* outputBuffer() const;  // plain NCHW, after forward()
    float* outputDiffBuffer();        // plain NCHW, written by the caller before backward()
    const float* inputDiffBuffer() const;
    const float* codeBuffer();        // plain NCHW copy of the code, refreshed on each call
    float* codeDiffBuffer();
    const memory::dims& codeDims() const { return code_->dims; }
    const memory::dims& outputDims() const { return output_->dims; }
    // Inference: the output handed over a strip of rows at a time (see Network::setOutputStrips).
    void setOutputStrips(int rows);
    int outputStripRows() const { return stripRows_; }
    const float* outputRows(int y0);

    void forward();
    void backward();
    void weightsChanged();

    std::vector<ops::Param*> params() const;
    // "op: implementation" for every forward and backward step (after finalize).
    std::vector<std::string> implementations() const;
    bool training() const { return ctx_.training; }
    // Whether its convolutions may take Winograd kernels: asked for, and oneDNN's effective ISA has them.
    bool winograd() const { return ctx_.winograd; }
    // Bytes of the buffers the current shape needs (activations, gradients, scratchpad, caller
    // buffers); not the weights, whose size does not depend on the shape.
    size_t shapeBytes() const { return ctx_.allocatedBytes; }
    // Inference: the most bytes the activations' block may keep across shapes (see Arena::setLimit).
    void setBlockLimit(size_t bytes) { arena_.setLimit(bytes); }
    // Inference: hands the activations' block back; the next setShape builds the shape again.
    void releaseBlock() {
        arena_.release();
        finalized_ = false;
    }
    // Inference: weight layouts each convolution keeps across shapes (see Network::setKeptWeightLayouts).
    void setKeptWeightLayouts(size_t n) { ctx_.keptWeightLayouts = std::max<size_t>(n, 1); }

private:
    void build(int N, int H, int W, std::string& building);  // finalize's work; names what it builds
    void upsampleIntoConcats();  // inference, one image: see graph.cpp
    Tensor* add(std::unique_ptr<ops::Op> op);
    memory plain(const memory::dims& dims);

    engine::Arena arena_;  // inference activations (see engine/arena.hpp)
    engine::Context ctx_;
    std::unique_ptr<Tensor> input_;
    std::vector<std::unique_ptr<ops::Op>> ops_;
    Tensor* output_ = nullptr;
    Tensor* code_ = nullptr;
    int outputSlot_ = -1, codeSlot_ = -1;
    bool inputGradient_ = false;
    bool finalized_ = false;
    bool weightsDirty_ = true;
    memory::dims shape_;

    // Output strips: the rows asked for, the rows per strip for this shape (0: whole output), a
    // view of that many rows of the output tensor (its handle moved to the strip's first row) and
    // the reorder from it to outputUser_.
    int stripRowsAsked_ = 0, stripRows_ = 0;
    ops::Conv* stripConv_ = nullptr;  // the output convolution, when it computes the strips
    size_t stripRowBytes_ = 0;
    memory stripView_;
    dnnl::reorder stripReorder_;
    memory inputUser_, outputUser_, outputDiffUser_, inputDiffUser_, codeUser_, codeDiffUser_, scratchpad_;
    std::vector<engine::Step> inputSteps_, outputSteps_, codeSteps_, lossDiffSteps_, inputDiffSteps_;
    // Per op (same index): sum of its dst's gradient slots into slot 0, run before its backward.
    std::vector<std::vector<engine::Step>> gathers_;
    std::vector<engine::Step> inputGather_;
};

}  // namespace aekit::graph
