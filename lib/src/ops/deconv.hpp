// SPDX-License-Identifier: Apache-2.0
// Transposed convolution 2x2, stride 2: a learnt 2x upsampler. Deliberately without bias: oneDNN's
// deconvolution is fast only without bias and post-ops (docs/onednn.md), and the convolution that
// follows it has a bias of its own.
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

class Deconv : public Op {
public:
    // src: N x IC x H x W -> dst: N x OC x 2H x 2W; weights OC x IC x 2 x 2 (oneDNN's order).
    Deconv(std::string name, Tensor* src, int IC, int OC);
    void finalize(Context& ctx) override;
    Param* weights() const { return weights_; }

private:
    int IC_, OC_;
    Param* weights_;
};

}  // namespace aekit::ops
