// SPDX-License-Identifier: Apache-2.0
// Deconvolution forward/backward on oneDNN (see deconv.hpp).
#include "ops/deconv.hpp"

#include "aekit/error.hpp"

namespace aekit::ops {

using dnnl::algorithm;
using dnnl::prop_kind;
using tag = memory::format_tag;
using dt = memory::data_type;

Deconv::Deconv(std::string name, Tensor* src, int IC, int OC) : Op(std::move(name), {src}), IC_(IC), OC_(OC) {
    dst_->channels = OC;
    weights_ = addParam("weight", {OC, IC, 2, 2}, tag::oihw, true);
}

void Deconv::finalize(Context& ctx) {
    Tensor* src = srcs_[0];
    const auto& s = src->dims;
    if (s[1] != IC_)
        fail(ErrorKind::InvalidArgument,
             name_ + ": expects " + std::to_string(IC_) + " input channels, got " + std::to_string(s[1]));
    allocateDst(ctx, {s[0], OC_, s[2] * 2, s[3] * 2});
    const memory::desc weightsAny({OC_, IC_, 2, 2}, ctx.dtype, tag::any);
    const memory::desc diffWeightsAny({OC_, IC_, 2, 2}, dt::f32, tag::any);
    const memory::dims strides{2, 2}, pad{0, 0};
    const prop_kind prop = ctx.training ? prop_kind::forward_training : prop_kind::forward_inference;
    dnnl::deconvolution_forward::primitive_desc fwdPd(
        {prop, algorithm::deconvolution_direct, src->desc(), weightsAny, dst_->desc(), strides, pad, pad}, ctx.attr(),
        ctx.eng);
    ctx.noteScratchpad(fwdPd);
    prepareSteps.clear();
    preparedAnew = true;
    forwardSteps.clear();
    backwardSteps.clear();
    memory fwdWeights = engine::layoutFor(prepareSteps, weights_->value, fwdPd.weights_desc(), false);
    forwardSteps.push_back({dnnl::deconvolution_forward(fwdPd),
                            {{DNNL_ARG_SRC, src->value}, {DNNL_ARG_WEIGHTS, fwdWeights}, {DNNL_ARG_DST, dst_->value}},
                            true});
    if (!ctx.training) return;
    dnnl::deconvolution_backward_weights::primitive_desc bwdWeightsPd(
        {algorithm::deconvolution_direct, src->desc(), diffWeightsAny, dst_->desc(), strides, pad, pad}, ctx.attr(),
        ctx.eng, fwdPd);
    ctx.noteScratchpad(bwdWeightsPd);
    std::vector<Step> gradToPlain;
    memory diffWeights = engine::layoutFor(gradToPlain, weights_->grad, bwdWeightsPd.diff_weights_desc(), true);
    backwardSteps.push_back(
        {dnnl::deconvolution_backward_weights(bwdWeightsPd),
         {{DNNL_ARG_SRC, src->value}, {DNNL_ARG_DIFF_DST, dst_->diff()}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}},
         true});
    backwardSteps.insert(backwardSteps.end(), gradToPlain.begin(), gradToPlain.end());
    const memory diffSrc = srcDiff(0);
    if (!diffSrc) return;
    dnnl::deconvolution_backward_data::primitive_desc bwdDataPd(
        {algorithm::deconvolution_direct, src->desc(), weightsAny, dst_->desc(), strides, pad, pad}, ctx.attr(),
        ctx.eng, fwdPd);
    ctx.noteScratchpad(bwdDataPd);
    memory bwdWeights = engine::layoutFor(prepareSteps, weights_->value, bwdDataPd.weights_desc(), false);
    backwardSteps.push_back(
        {dnnl::deconvolution_backward_data(bwdDataPd),
         {{DNNL_ARG_DIFF_DST, dst_->diff()}, {DNNL_ARG_WEIGHTS, bwdWeights}, {DNNL_ARG_DIFF_SRC, diffSrc}},
         true});
}

}  // namespace aekit::ops
