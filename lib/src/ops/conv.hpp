// SPDX-License-Identifier: Apache-2.0
// KxK convolution, stride 1, "same" padding, with bias and an optional fused activation.
// Forward and backward (data, weights, bias) on oneDNN; the activation is a post-op in both
// modes and its backward runs from dst (eltwise *_use_dst_for_bwd).
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

struct ConvDesc {
    int OC = 0;
    int K = 3;  // 3 or 1
    Activation activation = Activation::None;
};

class Conv : public Op {
public:
    // src: N x IC x H x W; dst: N x OC x H x W.
    Conv(std::string name, Tensor* src, int IC, const ConvDesc& desc);
    void finalize(Context& ctx) override;
    Param* weights() const { return weights_; }  // OC x IC x K x K
    Param* bias() const { return bias_; }        // OC

    // Inference, a network's output layer: before finalize, ask for the output a strip of at most
    // `rows` rows at a time (0: whole, the default), so that it never exists whole (a colorizer's
    // 261 class scores are 1 KB per pixel). finalize then takes the largest row count up to that
    // which divides H (stripRows(); 0 where it cannot strip: training, or a source in a layout of
    // its own), dst holds one strip of image 0 (1 x OC x stripRows() x W) and forwardSteps is
    // empty; runStrip(y0) computes rows [y0, y0 + stripRows()) into dst, after the graph's forward.
    void setStripRows(int rows) { stripRowsAsked_ = rows; }
    int stripRows() const { return stripRows_; }
    void runStrip(dnnl::stream& strm, int y0);
    std::vector<Step> stripSteps;  // the strip's convolution (the graph binds its scratchpad)

    void prepareRan() override;
    void weightsChanged() override;

private:
    // The forward weights in `layout`, kept from a recent shape where it matches.
    memory prepareWeights(const memory::desc& layout, bool training, size_t keep);
    // finalize's work for one strip; false where this convolution cannot strip.
    bool finalizeStrips(Context& ctx);
    int stripRowsAsked_ = 0, stripRows_ = 0;
    // The source rows a strip reads, its halo included (zeros beyond the image): the convolution
    // pads only across. Rows come in by a reorder per row count (inner strip, edge, a lone strip),
    // from a view of the source whose handle moves to the first row.
    memory srcStrip_;
    size_t srcRowBytes_ = 0, stripRowBytes_ = 0;
    struct RowCopy {
        int rows;
        memory from, to;
        dnnl::reorder copy;
    };
    std::vector<RowCopy> rowCopies_;
    int IC_;
    ConvDesc desc_;
    Param* weights_;
    Param* bias_;
    // The forward weights in the layouts recent shapes' primitives took, the current one first.
    // Winograd's transform is costly and its layout follows the shape's blocking: a folder of mixed
    // sizes comes back to a few layouts per convolution (measured: 200 small photos of 77 frame
    // sizes transformed weights 589 times in 1.62 s keeping only the last layout, 165 times keeping
    // 2, 77 times in 0.11 s keeping 3, 69 keeping 4). At most Context::keptWeightLayouts.
    struct Prepared {
        memory weights;
        bool filled = false;  // holds the weights' current values
    };
    std::vector<Prepared> preparedWeights_;
};

}  // namespace aekit::ops
