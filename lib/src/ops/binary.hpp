// SPDX-License-Identifier: Apache-2.0
// Elementwise sum or difference of two same-shaped tensors (residual connections):
// dst = src0 + src1 or dst = src0 - src1, with the matching backward.
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

class Binary : public Op {
public:
    Binary(std::string name, Tensor* src0, Tensor* src1, bool subtract);
    void finalize(Context& ctx) override;

private:
    bool subtract_;
};

}  // namespace aekit::ops
