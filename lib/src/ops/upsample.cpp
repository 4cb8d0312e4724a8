// SPDX-License-Identifier: Apache-2.0
// Resampling forward/backward on oneDNN (see upsample.hpp).
#include "ops/upsample.hpp"

namespace aekit::ops {

using dnnl::algorithm;
using dnnl::prop_kind;

Upsample2x::Upsample2x(std::string name, Tensor* src, bool bilinear) : Op(std::move(name), {src}), bilinear_(bilinear) {
    dst_->channels = src->channels;
}

void Upsample2x::finalize(Context& ctx) {
    Tensor* src = srcs_[0];
    const auto& s = src->dims;
    allocateDst(ctx, {s[0], s[1], s[2] * 2, s[3] * 2});
    const algorithm alg = bilinear_ ? algorithm::resampling_linear : algorithm::resampling_nearest;
    const std::vector<float> factors{2.f, 2.f};
    const prop_kind prop = ctx.training ? prop_kind::forward_training : prop_kind::forward_inference;
    dnnl::resampling_forward::primitive_desc fwdPd({prop, alg, factors, src->desc(), dst_->desc()}, ctx.attr(),
                                                   ctx.eng);
    ctx.noteScratchpad(fwdPd);
    forwardSteps = {{dnnl::resampling_forward(fwdPd), {{DNNL_ARG_SRC, src->value}, {DNNL_ARG_DST, dst_->value}}, true}};
    backwardSteps.clear();
    const memory diffSrc = ctx.training ? srcDiff(0) : memory();
    if (!diffSrc) return;
    dnnl::resampling_backward::primitive_desc bwdPd({alg, factors, src->desc(), dst_->desc()}, ctx.attr(), ctx.eng,
                                                    fwdPd);
    ctx.noteScratchpad(bwdPd);
    backwardSteps.push_back(
        {dnnl::resampling_backward(bwdPd), {{DNNL_ARG_DIFF_DST, dst_->diff()}, {DNNL_ARG_DIFF_SRC, diffSrc}}, true});
}

}  // namespace aekit::ops
