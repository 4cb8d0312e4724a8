// SPDX-License-Identifier: Apache-2.0
// 2x2 max pooling, stride 2. Training keeps oneDNN's workspace (argmax, u8 per dst element) for the
// backward. Strict: refuses odd H or W (the network pads at its edge instead).
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

class MaxPool : public Op {
public:
    MaxPool(std::string name, Tensor* src);  // src: N x C x H x W -> dst: N x C x H/2 x W/2
    void finalize(Context& ctx) override;

private:
    memory workspace_;
};

}  // namespace aekit::ops
