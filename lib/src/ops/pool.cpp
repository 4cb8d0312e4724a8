// SPDX-License-Identifier: Apache-2.0
// Max pooling forward/backward on oneDNN (see pool.hpp).
#include "ops/pool.hpp"

#include "aekit/error.hpp"

namespace aekit::ops {

using dnnl::algorithm;
using dnnl::prop_kind;

MaxPool::MaxPool(std::string name, Tensor* src) : Op(std::move(name), {src}) { dst_->channels = src->channels; }

void MaxPool::finalize(Context& ctx) {
    Tensor* src = srcs_[0];
    const auto& s = src->dims;
    if (s[2] % 2 || s[3] % 2)
        fail(ErrorKind::InvalidArgument, name_ + ": 2x2 pooling needs even H and W, got " + engine::describe(src->desc()));
    allocateDst(ctx, {s[0], s[1], s[2] / 2, s[3] / 2});
    const memory::dims k{2, 2}, pad{0, 0};
    const prop_kind prop = ctx.training ? prop_kind::forward_training : prop_kind::forward_inference;
    dnnl::pooling_forward::primitive_desc fwdPd(
        {prop, algorithm::pooling_max, src->desc(), dst_->desc(), k, k, pad, pad}, ctx.attr(), ctx.eng);
    ctx.noteScratchpad(fwdPd);
    forwardSteps.clear();
    backwardSteps.clear();
    Args fwdArgs{{DNNL_ARG_SRC, src->value}, {DNNL_ARG_DST, dst_->value}};
    if (ctx.training) {
        workspace_ = ctx.alloc(fwdPd.workspace_desc());
        fwdArgs[DNNL_ARG_WORKSPACE] = workspace_;
    }
    forwardSteps.push_back({dnnl::pooling_forward(fwdPd), fwdArgs, true});
    const memory diffSrc = ctx.training ? srcDiff(0) : memory();
    if (!diffSrc) return;
    dnnl::pooling_backward::primitive_desc bwdPd({algorithm::pooling_max, src->desc(), dst_->desc(), k, k, pad, pad},
                                                 ctx.attr(), ctx.eng, fwdPd);
    ctx.noteScratchpad(bwdPd);
    backwardSteps.push_back(
        {dnnl::pooling_backward(bwdPd),
         {{DNNL_ARG_DIFF_DST, dst_->diff()}, {DNNL_ARG_DIFF_SRC, diffSrc}, {DNNL_ARG_WORKSPACE, workspace_}},
         true});
}

}  // namespace aekit::ops
