// SPDX-License-Identifier: Apache-2.0
// Concat forward/backward on oneDNN (see concat.hpp).
#include "ops/concat.hpp"

#include "aekit/error.hpp"

namespace aekit::ops {

Concat::Concat(std::string name, std::vector<Tensor*> srcs) : Op(std::move(name), std::move(srcs)) {
    for (Tensor* s : srcs_) dst_->channels += s->channels;
}

void Concat::finalize(Context& ctx) {
    const auto& first = srcs_[0]->dims;
    memory::dim C = 0;
    std::vector<memory::desc> srcMds;
    for (Tensor* s : srcs_) {
        if (s->dims[0] != first[0] || s->dims[2] != first[2] || s->dims[3] != first[3])
            fail(ErrorKind::InvalidArgument, name_ + ": sources differ in N, H or W (" + engine::describe(s->desc()) +
                                                 " vs " + engine::describe(srcs_[0]->desc()) + ")");
        C += s->dims[1];
        srcMds.push_back(s->desc());
    }
    allocateDst(ctx, {first[0], C, first[2], first[3]});
    // Forward: one reorder per source into its channel view of dst. oneDNN's concat primitive does
    // the same copy 9x slower on nChw16c (87 ms against 9.6 ms for 64+32 channels at 1024x1024,
    // 2 threads) and 1.8x slower on nhwc. It stays for views a blocked layout cannot take.
    forwardSteps.clear();
    memory::dim at = 0;
    for (Tensor* s : srcs_) {
        try {
            const memory view = ctx.view(dst_->value, dst_->desc().submemory_desc(s->dims, {0, at, 0, 0}));
            engine::appendReorder(forwardSteps, s->value, view);
        } catch (const dnnl::error&) {
            forwardSteps.clear();
            break;
        }
        at += s->dims[1];
    }
    if (forwardSteps.empty()) {
        dnnl::concat::primitive_desc pd(dst_->desc(), 1, srcMds, ctx.eng, ctx.attr());
        ctx.noteScratchpad(pd);
        Args args{{DNNL_ARG_DST, dst_->value}};
        for (size_t i = 0; i < srcs_.size(); ++i) args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = srcs_[i]->value;
        forwardSteps = {{dnnl::concat(pd), args, true}};
    }
    backwardSteps.clear();
    if (!ctx.training) return;
    // A blocked layout allows a channel view only at block-aligned offsets; otherwise the views are
    // taken on one plain copy of the gradient (slower, and never hit by the shipped architectures).
    memory plainDiff;
    memory::dim offset = 0;
    for (size_t i = 0; i < srcs_.size(); ++i) {
        const auto& d = srcs_[i]->dims;
        const memory diffSrc = srcDiff(static_cast<int>(i));
        if (diffSrc) {
            memory view;
            try {
                view = ctx.view(dst_->diff(), dst_->desc().submemory_desc(d, {0, offset, 0, 0}));
            } catch (const dnnl::error&) {
                if (!plainDiff) {
                    plainDiff = ctx.alloc({dst_->dims, memory::data_type::f32, memory::format_tag::nchw});
                    engine::appendReorder(backwardSteps, dst_->diff(), plainDiff);
                }
                view = ctx.view(plainDiff, plainDiff.get_desc().submemory_desc(d, {0, offset, 0, 0}));
            }
            engine::appendReorder(backwardSteps, view, diffSrc);
        }
        offset += d[1];
    }
}

}  // namespace aekit::ops
