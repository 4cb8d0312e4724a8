// SPDX-License-Identifier: Apache-2.0
// Convolution forward/backward on oneDNN (see conv.hpp).
#include "ops/conv.hpp"

#include <algorithm>
#include <cstring>

#include "aekit/error.hpp"

namespace aekit::ops {

namespace {

// A primitive descriptor built with Winograd when `wanted` and oneDNN offers it, else direct.
template <class MakePd>
auto withAlgorithm(bool wanted, MakePd make) {
    if (wanted) try {
        return make(dnnl::algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
    }
    return make(dnnl::algorithm::convolution_direct);
}

}  // namespace

using dnnl::algorithm;
using dnnl::prop_kind;
using tag = memory::format_tag;
using dt = memory::data_type;

Conv::Conv(std::string name, Tensor* src, int IC, const ConvDesc& desc)
    : Op(std::move(name), {src}), IC_(IC), desc_(desc) {
    if (desc.K != 1 && desc.K != 3) fail(ErrorKind::InvalidArgument, name_ + ": kernel must be 1 or 3");
    if (IC <= 0 || desc.OC <= 0) fail(ErrorKind::InvalidArgument, name_ + ": channel counts must be positive");
    dst_->channels = desc.OC;
    weights_ = addParam("weight", {desc.OC, IC, desc.K, desc.K}, tag::oihw, true);
    bias_ = addParam("bias", {desc.OC}, tag::x, false);
}

memory Conv::prepareWeights(const memory::desc& layout, bool training, size_t keep) {
    const auto kept = std::find_if(preparedWeights_.begin(), preparedWeights_.end(),
                                   [&](const Prepared& p) { return p.weights.get_desc() == layout; });
    Prepared now;
    if (kept != preparedWeights_.end()) {
        now = *kept;
        preparedWeights_.erase(kept);
        if (now.weights.get() != weights_->value.get()) engine::appendReorder(prepareSteps, weights_->value, now.weights);
    } else {
        now.weights = engine::layoutFor(prepareSteps, weights_->value, layout, false);
    }
    preparedWeights_.insert(preparedWeights_.begin(), now);
    if (preparedWeights_.size() > keep) preparedWeights_.resize(keep);  // keep >= 1: the graph says so
    // Cleared only when the graph runs prepareSteps: a buffer made by a shape that never ran stays to fill.
    preparedAnew = preparedAnew || !now.filled || training;  // training's backward-data weights are new buffers
    return now.weights;
}

void Conv::prepareRan() {
    if (!preparedWeights_.empty()) preparedWeights_.front().filled = true;
}

void Conv::weightsChanged() {
    for (Prepared& p : preparedWeights_) p.filled = false;
}

bool Conv::finalizeStrips(Context& ctx) {
    Tensor* src = srcs_[0];
    const memory::dims& s = src->dims;
    // The strip copies rows of the source as it lies; a source the convolution reorders first (an
    // image's few channels) is not worth it.
    if (src->desc() != ctx.activation(s)) return false;
    const int H = int(s[2]), halo = desc_.K / 2;
    int R = std::min(stripRowsAsked_, H);
    while (H % R) --R;
    const memory::dim W = s[3];
    const memory::desc stripMd = ctx.activation({1, IC_, R + 2 * halo, W}), dstMd = ctx.activation({1, desc_.OC, R, W});
    dnnl::primitive_attr attr = ctx.attr();
    if (desc_.activation != Activation::None) {
        const ActivationAlg alg = activationAlg(desc_.activation);
        dnnl::post_ops po;
        po.append_eltwise(1.f, alg.forward, alg.alpha, 0.f);
        attr.set_post_ops(po);
    }
    // Direct: strips are for expanding output layers (a colorizer's class scores), where Winograd
    // does not pay (finalize).
    const memory::dims strides{1, 1}, padL{0, halo}, padR{0, halo};
    const memory::desc weightsAny({desc_.OC, IC_, desc_.K, desc_.K}, ctx.dtype, memory::format_tag::any);
    const dnnl::convolution_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, stripMd, weightsAny,
         bias_->value.get_desc(), dstMd, strides, padL, padR},
        attr, ctx.eng);
    if (pd.src_desc() != stripMd || pd.dst_desc() != dstMd) return false;
    ctx.noteScratchpad(pd);
    dst_->dims = {s[0], desc_.OC, s[2], W};
    dst_->channels = desc_.OC;
    dst_->diffSlots.clear();
    dst_->value = ctx.allocWhole(dstMd);
    srcStrip_ = ctx.allocWhole(stripMd);
    const memory weights = prepareWeights(pd.weights_desc(), false, ctx.keptWeightLayouts);
    stripSteps.push_back({dnnl::convolution_forward(pd),
                          {{DNNL_ARG_SRC, srcStrip_}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_BIAS, bias_->value},
                           {DNNL_ARG_DST, dst_->value}},
                          true});
    // Row offsets: the stride of H in each layout (blocked or not), in bytes.
    const memory::desc whole = src->desc();
    const size_t elem = memory::data_type_size(ctx.dtype);
    srcRowBytes_ = size_t(whole.data.format_desc.blocking.strides[2]) * elem;
    stripRowBytes_ = size_t(stripMd.data.format_desc.blocking.strides[2]) * elem;
    for (int rows : {R + 2 * halo, R + halo, R}) {
        if (rows > H || std::any_of(rowCopies_.begin(), rowCopies_.end(), [&](const RowCopy& c) { return c.rows == rows; }))
            continue;
        const memory::dims part{1, IC_, rows, W}, origin{0, 0, 0, 0};
        RowCopy c{rows, memory(whole.submemory_desc(part, origin), ctx.eng, DNNL_MEMORY_NONE),
                  memory(stripMd.submemory_desc(part, origin), ctx.eng, DNNL_MEMORY_NONE), {}};
        c.copy = dnnl::reorder(c.from, c.to);
        rowCopies_.push_back(std::move(c));
    }
    stripRows_ = R;
    return true;
}

void Conv::runStrip(dnnl::stream& strm, int y0) {
    const int H = int(dst_->dims[2]), halo = desc_.K / 2;
    if (stripRows_ <= 0 || y0 < 0 || y0 % stripRows_ || y0 >= H)
        fail(ErrorKind::Internal, name_ + ": no strip starts at row " + std::to_string(y0));
    const int first = std::max(0, y0 - halo), last = std::min(H, y0 + stripRows_ + halo);
    const int rows = last - first;
    // Rows beyond the image are the convolution's zero padding.
    if (rows < stripRows_ + 2 * halo) std::memset(srcStrip_.get_data_handle(), 0, srcStrip_.get_desc().get_size());
    const auto c = std::find_if(rowCopies_.begin(), rowCopies_.end(), [&](const RowCopy& r) { return r.rows == rows; });
    if (c == rowCopies_.end()) fail(ErrorKind::Internal, name_ + ": no row copy for " + std::to_string(rows) + " rows");
    c->from.set_data_handle(static_cast<char*>(srcs_[0]->value.get_data_handle()) + size_t(first) * srcRowBytes_);
    c->to.set_data_handle(static_cast<char*>(srcStrip_.get_data_handle()) + size_t(first - (y0 - halo)) * stripRowBytes_);
    c->copy.execute(strm, {{DNNL_ARG_FROM, c->from}, {DNNL_ARG_TO, c->to}});
    engine::run(strm, stripSteps);
}

void Conv::finalize(Context& ctx) {
    Tensor* src = srcs_[0];
    const auto& s = src->dims;  // N x IC x H x W
    if (s[1] != IC_)
        fail(ErrorKind::InvalidArgument,
             name_ + ": expects " + std::to_string(IC_) + " input channels, got " + std::to_string(s[1]));
    prepareSteps.clear();
    forwardSteps.clear();
    backwardSteps.clear();
    stripSteps.clear();
    rowCopies_.clear();
    stripRows_ = 0;
    if (stripRowsAsked_ > 0 && !ctx.training && finalizeStrips(ctx)) return;
    allocateDst(ctx, {s[0], desc_.OC, s[2], s[3]});

    const memory::desc dstMd = dst_->desc();
    const memory::desc weightsAny({desc_.OC, IC_, desc_.K, desc_.K}, ctx.dtype, tag::any);
    const memory::desc diffWeightsAny({desc_.OC, IC_, desc_.K, desc_.K}, dt::f32, tag::any);
    // In training, a source whose channels are not a multiple of the block in the blocked layout sends
    // oneDNN to ref:any (100x slower). An image (1-4 channels): let oneDNN pick the source layout
    // (plain nchw, JIT for these passes) and reorder into it. Other counts (a small code of 8, say):
    // nchw is ref:any in backward, so the whole convolution runs on nhwc (JIT in every pass; src,
    // dst and their gradients reordered at its edges, cheap at such channel counts).
    // In inference the blocked layout is JIT for any channel count above 4 (measured: 99 input
    // channels, 36 ms direct and 17 ms Winograd, against 36 ms on nhwc plus an 18 ms reorder).
    const bool ownSrcLayout = ctx.layout != tag::nhwc && IC_ % engine::channelBlock() != 0 && (ctx.training || IC_ <= 4 || IC_ < engine::channelBlock());
    // On AVX2 an image input on plain nchw is ref:any in backward-weights: nhwc there too.
    const bool nhwcConv = ownSrcLayout && (IC_ > 4 || (ctx.training && !engine::hasAvx512()));
    const memory::desc srcMd = !ownSrcLayout ? src->desc()
                               : nhwcConv    ? memory::desc(src->dims, ctx.dtype, tag::nhwc)
                                             : memory::desc(src->dims, ctx.dtype, tag::any);
    const memory::desc convDstMd = nhwcConv ? memory::desc(dst_->dims, ctx.dtype, tag::nhwc) : dstMd;
    const memory::desc biasMd = bias_->value.get_desc();
    const memory::dims strides{1, 1}, pad{desc_.K / 2, desc_.K / 2};
    // Winograd F(4x4, 3x3), where measured faster than direct on this project's U-Nets (2 threads,
    // AVX-512; docs/performance.md has the figures): forward and backward-data about
    // 2x from 16 input channels (an image input pads to 16 and runs 7x slower on it);
    // backward-data not into 3 channels; backward-weights only for 64+ output channels (for 32 it
    // ties or loses).
    const bool wino3x3 = ctx.winograd && desc_.K == 3 && !nhwcConv;
    // Not where the output has more than 4 channels per input channel: Winograd saves multiplications
    // in the channel product but transforms every output channel's tiles, kept whole in its
    // scratchpad. A colorizer's 261-class output (32 -> 261) gained 18% (500x375, 2 threads: 79 ms
    // against 96 ms direct) for 2.7 KB of scratchpad per pixel, half of that network's memory.
    const bool winoForward = wino3x3 && IC_ >= 16 && desc_.OC <= 4 * IC_;
    const bool winoBackwardData = winoForward && desc_.OC % 16 == 0;
    const bool winoBackwardWeights = winoForward && desc_.OC % 16 == 0 && desc_.OC >= 64;

    dnnl::primitive_attr attr = ctx.attr();
    const bool act = desc_.activation != Activation::None;
    ActivationAlg alg{};
    if (act) {
        alg = activationAlg(desc_.activation);
        dnnl::post_ops po;
        po.append_eltwise(1.f, alg.forward, alg.alpha, 0.f);
        attr.set_post_ops(po);
    }
    const prop_kind prop = ctx.training ? prop_kind::forward_training : prop_kind::forward_inference;
    const auto fwdPd = withAlgorithm(winoForward, [&](algorithm a) {
        return dnnl::convolution_forward::primitive_desc({prop, a, srcMd, weightsAny, biasMd, convDstMd, strides, pad, pad},
                                                         attr, ctx.eng);
    });
    ctx.noteScratchpad(fwdPd);
    memory srcValue = src->value;
    if (fwdPd.src_desc() != src->desc()) {
        srcValue = ctx.alloc(fwdPd.src_desc());
        engine::appendReorder(forwardSteps, src->value, srcValue);
    }
    const memory fwdWeights = prepareWeights(fwdPd.weights_desc(), ctx.training, ctx.keptWeightLayouts);
    const memory convDst = nhwcConv ? ctx.alloc(convDstMd) : dst_->value;
    forwardSteps.push_back({dnnl::convolution_forward(fwdPd),
                            {{DNNL_ARG_SRC, srcValue},
                             {DNNL_ARG_WEIGHTS, fwdWeights},
                             {DNNL_ARG_BIAS, bias_->value},
                             {DNNL_ARG_DST, convDst}},
                            true});
    if (nhwcConv) engine::appendReorder(forwardSteps, convDst, dst_->value);
    if (!ctx.training) return;

    // Backward: activation (from dst, in place on dst's diff), then weights and bias, then data.
    const memory diffDst = dst_->diff();
    if (act) {
        dnnl::eltwise_forward::primitive_desc hint(
            {prop_kind::forward_training, alg.backwardFromDst, dstMd, alg.alpha, 0.f}, ctx.eng);
        dnnl::eltwise_backward::primitive_desc bwdPd({alg.backwardFromDst, dstMd, dstMd, alg.alpha, 0.f}, ctx.attr(),
                                                     ctx.eng, hint);
        ctx.noteScratchpad(bwdPd);
        backwardSteps.push_back(
            {dnnl::eltwise_backward(bwdPd),
             {{DNNL_ARG_DST, dst_->value}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_SRC, diffDst}},
             true});
    }
    const memory convDiffDst = nhwcConv ? ctx.alloc(convDstMd) : diffDst;
    if (nhwcConv) engine::appendReorder(backwardSteps, diffDst, convDiffDst);
    const auto bwdWeightsPd = withAlgorithm(winoBackwardWeights, [&](algorithm a) {
        return dnnl::convolution_backward_weights::primitive_desc(
            {a, fwdPd.src_desc(), diffWeightsAny, biasMd, convDstMd, strides, pad, pad}, ctx.attr(), ctx.eng, fwdPd);
    });
    ctx.noteScratchpad(bwdWeightsPd);
    std::vector<Step> gradToPlain;
    memory diffWeights = engine::layoutFor(gradToPlain, weights_->grad, bwdWeightsPd.diff_weights_desc(), true);
    memory diffBias = engine::layoutFor(gradToPlain, bias_->grad, bwdWeightsPd.diff_bias_desc(), true);
    backwardSteps.push_back({dnnl::convolution_backward_weights(bwdWeightsPd),
                             {{DNNL_ARG_SRC, srcValue},
                              {DNNL_ARG_DIFF_DST, convDiffDst},
                              {DNNL_ARG_DIFF_WEIGHTS, diffWeights},
                              {DNNL_ARG_DIFF_BIAS, diffBias}},
                             true});
    backwardSteps.insert(backwardSteps.end(), gradToPlain.begin(), gradToPlain.end());

    // The network input usually needs no gradient: skipping it saves the most expensive backward-data.
    const memory diffSrc = srcDiff(0);
    if (!diffSrc) return;
    const auto bwdDataPd = withAlgorithm(winoBackwardData, [&](algorithm a) {
        return dnnl::convolution_backward_data::primitive_desc({a, fwdPd.src_desc(), weightsAny, convDstMd, strides, pad, pad},
                                                               ctx.attr(), ctx.eng, fwdPd);
    });
    ctx.noteScratchpad(bwdDataPd);
    memory bwdWeights = engine::layoutFor(prepareSteps, weights_->value, bwdDataPd.weights_desc(), false);
    const bool ownDiffSrc = bwdDataPd.diff_src_desc() != diffSrc.get_desc();
    const memory diffSrcOwn = ownDiffSrc ? ctx.alloc(bwdDataPd.diff_src_desc()) : diffSrc;
    backwardSteps.push_back({dnnl::convolution_backward_data(bwdDataPd),
                             {{DNNL_ARG_DIFF_DST, convDiffDst}, {DNNL_ARG_WEIGHTS, bwdWeights}, {DNNL_ARG_DIFF_SRC, diffSrcOwn}},
                             true});
    if (ownDiffSrc) engine::appendReorder(backwardSteps, diffSrcOwn, diffSrc);
}

}  // namespace aekit::ops
