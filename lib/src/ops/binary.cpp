// SPDX-License-Identifier: Apache-2.0
// Binary add/sub forward/backward on oneDNN (see binary.hpp).
#include "ops/binary.hpp"

#include "aekit/error.hpp"

namespace aekit::ops {

using dnnl::algorithm;

Binary::Binary(std::string name, Tensor* src0, Tensor* src1, bool subtract)
    : Op(std::move(name), {src0, src1}), subtract_(subtract) {
    dst_->channels = src0->channels;
}

void Binary::finalize(Context& ctx) {
    Tensor* a = srcs_[0];
    Tensor* b = srcs_[1];
    if (a->dims != b->dims)
        fail(ErrorKind::InvalidArgument,
             name_ + ": shapes differ (" + engine::describe(a->desc()) + " vs " + engine::describe(b->desc()) + ")");
    allocateDst(ctx, a->dims);
    const algorithm alg = subtract_ ? algorithm::binary_sub : algorithm::binary_add;
    dnnl::binary::primitive_desc pd({alg, a->desc(), b->desc(), dst_->desc()}, ctx.attr(), ctx.eng);
    ctx.noteScratchpad(pd);
    forwardSteps = {{dnnl::binary(pd),
                     {{DNNL_ARG_SRC_0, a->value}, {DNNL_ARG_SRC_1, b->value}, {DNNL_ARG_DST, dst_->value}},
                     true}};
    backwardSteps.clear();
    if (!ctx.training) return;
    // d(src0) = d(dst); d(src1) = +-d(dst).
    if (const memory d0 = srcDiff(0)) engine::appendReorder(backwardSteps, dst_->diff(), d0);
    if (const memory d1 = srcDiff(1)) {
        if (!subtract_) {
            engine::appendReorder(backwardSteps, dst_->diff(), d1);
        } else {
            dnnl::eltwise_forward::primitive_desc negPd(
                {dnnl::prop_kind::forward_inference, algorithm::eltwise_linear, dst_->desc(), -1.f, 0.f}, ctx.attr(),
                ctx.eng);
            ctx.noteScratchpad(negPd);
            backwardSteps.push_back(
                {dnnl::eltwise_forward(negPd), {{DNNL_ARG_SRC, dst_->diff()}, {DNNL_ARG_DST, d1}}, true});
        }
    }
}

}  // namespace aekit::ops
