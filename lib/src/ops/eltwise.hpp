// SPDX-License-Identifier: Apache-2.0
// A standalone activation (ReLU, LeakyReLU, sigmoid, tanh) forward and backward from dst.
// Convolutions fuse their activation instead (conv.hpp); this op is for activations that follow
// something else.
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

class Eltwise : public Op {
public:
    Eltwise(std::string name, Tensor* src, Activation activation);  // dst has src's shape
    void finalize(Context& ctx) override;

private:
    Activation activation_;
};

}  // namespace aekit::ops
