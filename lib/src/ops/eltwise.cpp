// SPDX-License-Identifier: Apache-2.0
// Activation forward/backward on oneDNN (see eltwise.hpp).
#include "ops/eltwise.hpp"

namespace aekit::ops {

using dnnl::prop_kind;

Eltwise::Eltwise(std::string name, Tensor* src, Activation activation)
    : Op(std::move(name), {src}), activation_(activation) {
    dst_->channels = src->channels;
}

void Eltwise::finalize(Context& ctx) {
    Tensor* src = srcs_[0];
    allocateDst(ctx, src->dims);
    const ActivationAlg alg = activationAlg(activation_);
    // Training uses the *_use_dst_for_bwd flavour so the backward needs only dst.
    const prop_kind prop = ctx.training ? prop_kind::forward_training : prop_kind::forward_inference;
    dnnl::eltwise_forward::primitive_desc fwdPd({prop, alg.backwardFromDst, src->desc(), alg.alpha, 0.f}, ctx.attr(),
                                                ctx.eng);
    ctx.noteScratchpad(fwdPd);
    forwardSteps = {{dnnl::eltwise_forward(fwdPd), {{DNNL_ARG_SRC, src->value}, {DNNL_ARG_DST, dst_->value}}, true}};
    backwardSteps.clear();
    const memory diffSrc = ctx.training ? srcDiff(0) : memory();
    if (!diffSrc) return;
    dnnl::eltwise_backward::primitive_desc bwdPd({alg.backwardFromDst, dst_->desc(), dst_->desc(), alg.alpha, 0.f},
                                                 ctx.attr(), ctx.eng, fwdPd);
    ctx.noteScratchpad(bwdPd);
    backwardSteps.push_back(
        {dnnl::eltwise_backward(bwdPd),
         {{DNNL_ARG_DST, dst_->value}, {DNNL_ARG_DIFF_DST, dst_->diff()}, {DNNL_ARG_DIFF_SRC, diffSrc}},
         true});
}

}  // namespace aekit::ops
