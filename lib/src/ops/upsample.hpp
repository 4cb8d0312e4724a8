// SPDX-License-Identifier: Apache-2.0
// 2x upsampling with oneDNN's resampling primitive (nearest or bilinear), forward and backward.
// The learnt alternative is Deconv (deconv.hpp).
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

class Upsample2x : public Op {
public:
    Upsample2x(std::string name, Tensor* src, bool bilinear);  // N x C x H x W -> N x C x 2H x 2W
    void finalize(Context& ctx) override;

private:
    bool bilinear_;
};

}  // namespace aekit::ops
