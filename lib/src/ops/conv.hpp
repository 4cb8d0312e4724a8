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

private:
    int IC_;
    ConvDesc desc_;
    Param* weights_;
    Param* bias_;
    // The forward weights in the layout the last shape's primitive took (Winograd's blocked
    // transform is costly: kept across shapes that take the same layout).
    memory preparedWeights_;
};

}  // namespace aekit::ops
