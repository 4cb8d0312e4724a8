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
    for (Tensor* s : srcs_) {
        if (s->dims[0] != first[0] || s->dims[2] != first[2] || s->dims[3] != first[3])
            fail(ErrorKind::InvalidArgument, name_ + ": sources differ in N, H or W (" + engine::describe(s->desc()) +
                                                 " vs " + engine::describe(srcs_[0]->desc()) + ")");
        C += s->dims[1];
    }
    allocateDst(ctx, {first[0], C, first[2], first[3]});
    // Forward: one reorder per source into its channel view of dst. oneDNN's concat primitive does
    // the same copy 9x slower on nChw16c (87 ms against 9.6 ms for 64+32 channels at 1024x1024,
    // 2 threads) and 1.8x slower on nhwc. A blocked layout takes a view only from a block boundary
    // to another or to the end: the sources from the first it cannot view on go through the concat
    // primitive together, into the view from there on (a document model's full-resolution
    // 32 + 24 + 1 channels: the 32 by a reorder, 24 + 1 by the primitive; 16 pages, 408 ms of
    // concat before, 170-195 ms now).
    forwardSteps.clear();
    memory::dim at = 0;
    size_t placed = 0;  // sources copied by a reorder
    for (; placed < srcs_.size(); ++placed) {
        Tensor* s = srcs_[placed];
        try {
            const memory view = ctx.view(dst_->value, dst_->desc().submemory_desc(s->dims, {0, at, 0, 0}));
            engine::appendReorder(forwardSteps, s->value, view);
        } catch (const dnnl::error&) {
            break;
        }
        at += s->dims[1];
    }
    if (placed < srcs_.size()) {
        memory::desc groupMd = dst_->desc();
        memory groupDst = dst_->value;
        try {
            if (at > 0) {
                groupMd = dst_->desc().submemory_desc({first[0], C - at, first[2], first[3]}, {0, at, 0, 0});
                groupDst = ctx.view(dst_->value, groupMd);
            }
        } catch (const dnnl::error&) {  // no view there either: one concat of everything
            forwardSteps.clear();
            placed = 0;
            groupMd = dst_->desc();
            groupDst = dst_->value;
        }
        std::vector<memory::desc> mds;
        Args args{{DNNL_ARG_DST, groupDst}};
        for (size_t i = placed; i < srcs_.size(); ++i) {
            mds.push_back(srcs_[i]->desc());
            args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i - placed)] = srcs_[i]->value;
        }
        dnnl::concat::primitive_desc pd(groupMd, 1, mds, ctx.eng, ctx.attr());
        ctx.noteScratchpad(pd);
        forwardSteps.push_back({dnnl::concat(pd), args, true});
    }
    finalizeBackward(ctx);
}

void Concat::finalizeBackward(Context& ctx) {
    backwardSteps.clear();
    if (!ctx.training) return;
    // A blocked layout allows a channel view only at block-aligned offsets; otherwise the views are
    // taken on one plain copy of the gradient (slower; the document denoiser's 32 + 24 + 1 channels take it).
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
