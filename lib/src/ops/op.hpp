// SPDX-License-Identifier: Apache-2.0
// What every op is: a name, its source tensors and one destination, its parameters, and the
// oneDNN steps it built at finalize (weight preparation, forward, backward). Ops never allocate or
// build primitives after finalize.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "aekit/architecture.hpp"
#include "engine/context.hpp"
#include "engine/tensor.hpp"

namespace aekit::ops {

using engine::Args;
using engine::Context;
using engine::memory;
using engine::Step;
using engine::Tensor;

// A learnt tensor: plain master value and gradient, as the optimiser and model file see them.
struct Param {
    std::string name;        // "enc0a.weight"
    memory::dims dims;       // OIHW for weights, O for biases
    memory::format_tag tag;  // plain layout of value and grad
    bool decay = true;
    memory value, grad;      // allocated when the Param is created

    Param(std::string n, memory::dims d, memory::format_tag t, bool wd);
    float* valuePtr() const { return static_cast<float*>(value.get_data_handle()); }
    float* gradPtr() const { return static_cast<float*>(grad.get_data_handle()); }
    int64_t size() const;
};

class Op {
public:
    Op(std::string name, std::vector<Tensor*> srcs);
    virtual ~Op() = default;
    const std::string& name() const { return name_; }

    // Work out dst dims from the sources' dims, check them, allocate dst and build every step.
    virtual void finalize(Context& ctx) = 0;

    const std::vector<Tensor*>& srcs() const { return srcs_; }
    Tensor* dst() const { return dst_.get(); }
    const std::vector<std::unique_ptr<Param>>& params() const { return params_; }

    std::vector<Step> prepareSteps;   // weight reorders: rerun whenever parameter values change
    // Set by finalize when it made new buffers for prepared weights, cleared when the graph runs
    // prepareSteps (before the next forward); ops without prepared weights, and convolutions that
    // found the layout kept from a recent shape and still filled, leave it as it was.
    bool preparedAnew = false;
    // The graph ran prepareSteps: the current shape's prepared weights hold the weights' values.
    virtual void prepareRan() {}
    // The weights' values changed: prepared copies kept from other shapes are stale.
    virtual void weightsChanged() {}
    std::vector<Step> forwardSteps;
    std::vector<Step> backwardSteps;  // training: gradients to params (assigned) and src diff slots

protected:
    // Allocates dst's value in the graph layout and, in training, one diff slot per consumer.
    void allocateDst(Context& ctx, const memory::dims& dims);
    // The diff slot of source i this op writes (training), or an empty memory when src i needs none.
    memory srcDiff(int i) const;
    Param* addParam(const std::string& suffix, memory::dims dims, memory::format_tag tag, bool decay);

    std::string name_;
    std::vector<Tensor*> srcs_;
    std::vector<int> srcSlots_;
    std::unique_ptr<Tensor> dst_;
    std::vector<std::unique_ptr<Param>> params_;
};

// oneDNN algorithms for an activation: forward (post-op or eltwise) and backward from dst.
struct ActivationAlg {
    dnnl::algorithm forward;
    dnnl::algorithm backwardFromDst;
    float alpha = 0.f;
};
ActivationAlg activationAlg(Activation a);  // requires a != None

}  // namespace aekit::ops
