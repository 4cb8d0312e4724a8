// SPDX-License-Identifier: Apache-2.0
// Op base: destination allocation, gradient slots, parameters.
#include "ops/op.hpp"

#include "aekit/error.hpp"

namespace aekit::ops {

Param::Param(std::string n, memory::dims d, memory::format_tag t, bool wd)
    : name(std::move(n)), dims(std::move(d)), tag(t), decay(wd) {
    memory::desc md(dims, memory::data_type::f32, tag);
    value = memory(md, engine::cpuEngine());
    grad = memory(md, engine::cpuEngine());
    std::fill_n(valuePtr(), size(), 0.f);
    std::fill_n(gradPtr(), size(), 0.f);
}

int64_t Param::size() const {
    int64_t n = 1;
    for (auto d : dims) n *= d;
    return n;
}

Op::Op(std::string name, std::vector<Tensor*> srcs) : name_(std::move(name)), srcs_(std::move(srcs)) {
    for (Tensor* s : srcs_) srcSlots_.push_back(s->addConsumer());
    dst_ = std::make_unique<Tensor>();
    dst_->name = name_;
}

void Op::allocateDst(Context& ctx, const memory::dims& dims) {
    dst_->dims = dims;
    dst_->channels = static_cast<int>(dims[1]);
    dst_->value = ctx.alloc(ctx.activation(dims));
    dst_->diffSlots.clear();
    if (ctx.training)
        for (int i = 0; i < std::max(1, dst_->consumers); ++i) dst_->diffSlots.push_back(ctx.alloc(ctx.activation(dims)));
}

memory Op::srcDiff(int i) const {
    const Tensor* s = srcs_.at(static_cast<size_t>(i));
    if (!s->needsDiff || s->diffSlots.empty()) return memory();
    return s->diffSlot(srcSlots_.at(static_cast<size_t>(i)));
}

Param* Op::addParam(const std::string& suffix, memory::dims dims, memory::format_tag tag, bool decay) {
    params_.push_back(std::make_unique<Param>(name_ + "." + suffix, std::move(dims), tag, decay));
    return params_.back().get();
}

ActivationAlg activationAlg(Activation a) {
    using dnnl::algorithm;
    switch (a) {
        case Activation::ReLU: return {algorithm::eltwise_relu, algorithm::eltwise_relu_use_dst_for_bwd, 0.f};
        case Activation::LeakyReLU: return {algorithm::eltwise_relu, algorithm::eltwise_relu_use_dst_for_bwd, 0.1f};
        case Activation::Sigmoid:
            return {algorithm::eltwise_logistic, algorithm::eltwise_logistic_use_dst_for_bwd, 0.f};
        case Activation::Tanh: return {algorithm::eltwise_tanh, algorithm::eltwise_tanh_use_dst_for_bwd, 0.f};
        case Activation::None: break;
    }
    fail(ErrorKind::Internal, "activationAlg: no algorithm for activation None");
}

}  // namespace aekit::ops
