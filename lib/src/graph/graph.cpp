// SPDX-License-Identifier: Apache-2.0
// Graph building, finalize and replay (see graph.hpp).
#include "graph/graph.hpp"

#include <algorithm>
#include <string>

#include "aekit/error.hpp"
#include "ops/binary.hpp"
#include "ops/concat.hpp"
#include "ops/conv.hpp"
#include "ops/deconv.hpp"
#include "ops/eltwise.hpp"
#include "ops/pool.hpp"
#include "ops/upsample.hpp"

namespace aekit::graph {

using tag = memory::format_tag;
using dt = memory::data_type;

Graph::Graph(bool training, bool bf16, bool winograd) {
    ctx_.training = training;
    if (bf16) ctx_.dtype = dt::bf16;
    ctx_.winograd = winograd && !bf16 && engine::hasAvx512();  // oneDNN 2.6 has Winograd on AVX-512 only
    ctx_.layout = training || ctx_.winograd ? engine::blockedLayout() : tag::nhwc;
}

Tensor* Graph::input(int channels) {
    input_ = std::make_unique<Tensor>();
    input_->name = "input";
    input_->channels = channels;
    input_->needsDiff = false;
    return input_.get();
}

Tensor* Graph::add(std::unique_ptr<ops::Op> op) {
    ops_.push_back(std::move(op));
    return ops_.back()->dst();
}

Tensor* Graph::conv(const std::string& name, Tensor* src, int OC, int K, Activation activation) {
    return add(std::make_unique<ops::Conv>(name, src, src->channels, ops::ConvDesc{OC, K, activation}));
}
Tensor* Graph::maxPool(const std::string& name, Tensor* src) { return add(std::make_unique<ops::MaxPool>(name, src)); }
Tensor* Graph::upsample(const std::string& name, Tensor* src, bool bilinear) {
    return add(std::make_unique<ops::Upsample2x>(name, src, bilinear));
}
Tensor* Graph::deconv(const std::string& name, Tensor* src, int OC) {
    return add(std::make_unique<ops::Deconv>(name, src, src->channels, OC));
}
Tensor* Graph::concat(const std::string& name, std::vector<Tensor*> srcs) {
    return add(std::make_unique<ops::Concat>(name, std::move(srcs)));
}
Tensor* Graph::binary(const std::string& name, Tensor* a, Tensor* b, bool subtract) {
    return add(std::make_unique<ops::Binary>(name, a, b, subtract));
}
Tensor* Graph::eltwise(const std::string& name, Tensor* src, Activation activation) {
    return add(std::make_unique<ops::Eltwise>(name, src, activation));
}

void Graph::setOutput(Tensor* t) {
    output_ = t;
    if (ctx_.training) outputSlot_ = t->addConsumer();
}
void Graph::setCode(Tensor* t) { code_ = t; }
void Graph::requestInputGradient() {
    inputGradient_ = true;
    input_->needsDiff = true;
}
void Graph::requestCodeGradient() {
    if (!code_ || !ctx_.training) fail(ErrorKind::Internal, "requestCodeGradient: no code tensor or not training");
    if (codeSlot_ < 0) codeSlot_ = code_->addConsumer();
}

// The caller's edges: plain NCHW, live for the whole run (the caller writes and reads them between runs).
memory Graph::plain(const memory::dims& dims) { return ctx_.allocWhole({dims, dt::f32, tag::nchw}); }

void Graph::finalize(int N, int H, int W) {
    // oneDNN's own errors (a primitive it cannot build, memory it cannot get) leave the library as
    // Error(Engine) naming the layer and the shape.
    std::string building = "the network's buffers";
    try {
        build(N, H, W, building);
    } catch (const dnnl::error& e) {
        finalized_ = false;
        fail(ErrorKind::Engine, "oneDNN refused " + building + " for input " + std::to_string(N) + "x" +
                                    std::to_string(input_->channels) + "x" + std::to_string(H) + "x" + std::to_string(W) +
                                    ": " + e.what());
    }
}

void Graph::build(int N, int H, int W, std::string& building) {
    const memory::dims shape{N, input_->channels, H, W};
    if (finalized_ && shape == shape_) return;
    // A build that failed part-way may have left new prepared-weight buffers unfilled.
    if (!finalized_) weightsDirty_ = true;
    if (!output_) fail(ErrorKind::Internal, "Graph::finalize: no output set");
    if (N <= 0 || H <= 0 || W <= 0) fail(ErrorKind::InvalidArgument, "network input must have a positive size");
    shape_ = shape;
    finalized_ = false;
    ctx_.scratchpadBytes = 0;
    ctx_.allocatedBytes = 0;
    // Inference: activations by lifetime in one block. Step 0 is the input's reorder, op i is step
    // i + 1, the output's and code's reorders are step ops_.size() + 1. Training keeps every
    // activation for the backward pass, each in its own buffer.
    arena_.clear();
    ctx_.arena = ctx_.training ? nullptr : &arena_;
    ctx_.now = 0;

    input_->dims = shape;
    input_->value = ctx_.alloc(ctx_.activation(shape));
    input_->diffSlots.clear();
    if (ctx_.training && input_->needsDiff)
        for (int i = 0; i < std::max(1, input_->consumers); ++i)
            input_->diffSlots.push_back(ctx_.alloc(ctx_.activation(shape)));
    // An output convolution computes its strips itself, after forward (ops/conv.hpp).
    stripConv_ = ops_.empty() || ops_.back()->dst() != output_ ? nullptr : dynamic_cast<ops::Conv*>(ops_.back().get());
    if (stripConv_) stripConv_->setStripRows(ctx_.training ? 0 : stripRowsAsked_);
    for (size_t i = 0; i < ops_.size(); ++i) {
        building = "layer '" + ops_[i]->name() + "'";
        ctx_.now = int(i) + 1;
        ops_[i]->finalize(ctx_);
    }
    building = "the network's edges and gradient sums";
    const int end = int(ops_.size()) + 1;
    if (ctx_.arena) {
        for (size_t i = 0; i < ops_.size(); ++i)
            for (Tensor* src : ops_[i]->srcs()) arena_.use(src->value, int(i) + 1);
        arena_.use(output_->value, end);
        if (stripConv_ && stripConv_->stripRows() > 0) arena_.use(stripConv_->srcs()[0]->value, end);  // read by strips
        if (code_) arena_.use(code_->value, end);
        upsampleIntoConcats();
    }

    // Edges: plain NCHW buffers for the caller, one reorder each; the output whole or a strip.
    inputUser_ = plain(shape);
    stripRows_ = 0;
    if (stripConv_ && stripConv_->stripRows() > 0) {
        stripRows_ = stripConv_->stripRows();
    } else {
        stripConv_ = nullptr;
        if (stripRowsAsked_ > 0 && !ctx_.training) {
            const memory::dim outH = output_->dims[2];
            stripRows_ = int(std::min<memory::dim>(stripRowsAsked_, outH));
            while (outH % stripRows_) --stripRows_;
        }
    }
    memory::dims outputEdge = output_->dims;
    if (stripRows_ > 0) outputEdge = {1, output_->dims[1], stripRows_, output_->dims[3]};
    outputUser_ = plain(outputEdge);
    inputSteps_.clear();
    outputSteps_.clear();
    codeSteps_.clear();
    lossDiffSteps_.clear();
    inputDiffSteps_.clear();
    engine::appendReorder(inputSteps_, inputUser_, input_->value);
    if (stripConv_) {
        // The output tensor is the convolution's strip.
        stripRowBytes_ = 0;
        stripView_ = output_->value;
        stripReorder_ = dnnl::reorder(stripView_, outputUser_);
    } else if (stripRows_ > 0) {
        // A strip of the output tensor: its own strides (any layout, blocked or not), so that moving
        // the handle by one row's stride addresses the next rows.
        const memory::desc whole = output_->value.get_desc();
        const memory::desc view = whole.submemory_desc(outputEdge, {0, 0, 0, 0});
        stripRowBytes_ = size_t(whole.data.format_desc.blocking.strides[2]) * memory::data_type_size(whole.data_type());
        stripView_ = memory(view, ctx_.eng, DNNL_MEMORY_NONE);
        stripReorder_ = dnnl::reorder(stripView_, outputUser_);
    } else {
        engine::appendReorder(outputSteps_, output_->value, outputUser_);
    }
    if (code_) {
        codeUser_ = plain(code_->dims);
        engine::appendReorder(codeSteps_, code_->value, codeUser_);
    }
    if (ctx_.training) {
        outputDiffUser_ = plain(output_->dims);
        engine::appendReorder(lossDiffSteps_, outputDiffUser_, output_->diffSlot(outputSlot_));
        if (codeSlot_ >= 0) {
            codeDiffUser_ = plain(code_->dims);
            engine::appendReorder(lossDiffSteps_, codeDiffUser_, code_->diffSlot(codeSlot_));
        }
        if (inputGradient_) {
            inputDiffUser_ = plain(shape);
            engine::appendReorder(inputDiffSteps_, input_->diff(), inputDiffUser_);
        }
        // Gradient gathers: slot 0 += slot i, in place (binary add on one layout is JIT).
        auto gatherFor = [&](Tensor* t) {
            std::vector<engine::Step> steps;
            for (size_t i = 1; i < t->diffSlots.size(); ++i) {
                dnnl::binary::primitive_desc pd({dnnl::algorithm::binary_add, t->desc(), t->desc(), t->desc()},
                                                ctx_.attr(), ctx_.eng);
                ctx_.noteScratchpad(pd);
                steps.push_back({dnnl::binary(pd),
                                 {{DNNL_ARG_SRC_0, t->diffSlots[0]},
                                  {DNNL_ARG_SRC_1, t->diffSlots[i]},
                                  {DNNL_ARG_DST, t->diffSlots[0]}},
                                 true});
            }
            return steps;
        };
        gathers_.clear();
        for (auto& op : ops_) gathers_.push_back(gatherFor(op->dst()));
        inputGather_ = input_->needsDiff ? gatherFor(input_.get()) : std::vector<engine::Step>{};
    }

    // Inference: a forward step's scratchpad is a buffer of the plan, live at that step only, so
    // that it shares bytes with activations the step does not touch (Winograd on its whole-image
    // schedule keeps every tile's transformed input and output there: the photo model's 144 -> 64
    // layer, 480 bytes per tile pixel). Strips run after the last op, at `end`.
    size_t wholeBytes = ctx_.scratchpadBytes;
    auto bindOwn = [&](std::vector<engine::Step>& steps, int time) {
        for (auto& s : steps) {
            const size_t bytes = s.scratchpad ? engine::scratchpadBytes(s) : 0;
            if (bytes == 0) continue;
            s.args[DNNL_ARG_SCRATCHPAD] = arena_.add({{static_cast<memory::dim>(bytes)}, dt::u8, tag::x}, ctx_.eng, time);
            s.cArgs.clear();
            s.scratchpad = false;  // bound
        }
    };
    if (ctx_.arena) {
        for (size_t i = 0; i < ops_.size(); ++i) bindOwn(ops_[i]->forwardSteps, int(i) + 1);
        if (stripConv_) bindOwn(stripConv_->stripSteps, end);
        wholeBytes = 0;  // what is left: weight preparation
        for (auto& op : ops_)
            for (auto& s : op->prepareSteps)
                if (s.scratchpad) wholeBytes = std::max(wholeBytes, engine::scratchpadBytes(s));
    }
    // One scratchpad for the other primitives, bound once.
    scratchpad_ = ctx_.allocWhole({{static_cast<memory::dim>(std::max<size_t>(wholeBytes, 1))}, dt::u8, tag::x});
    auto bind = [&](std::vector<engine::Step>& steps) {
        for (auto& s : steps)
            if (s.scratchpad) {
                s.args[DNNL_ARG_SCRATCHPAD] = scratchpad_;
                s.cArgs.clear();
            }
    };
    for (auto& op : ops_) {
        bind(op->prepareSteps);
        bind(op->forwardSteps);
        bind(op->backwardSteps);
    }
    if (stripConv_) bind(stripConv_->stripSteps);
    for (auto& g : gathers_) bind(g);
    bind(inputGather_);
    if (ctx_.arena) {
        ctx_.allocatedBytes += arena_.place();
        ctx_.arena = nullptr;
    }
    finalized_ = true;
}

// With one image, a channel range of a blocked tensor from one block boundary to another is one
// contiguous run of whole blocks: a dense tensor of its own at an offset, which oneDNN's JIT
// kernels write (a submemory view of the same range gets ref:any; docs/onednn.md). An upsampling
// read only by a concat, at such a range, then writes straight into the concat: its result is
// neither held beside the concat nor copied (the photo model's 64 full-resolution channels, 256
// bytes per tile pixel at the network's peak).
void Graph::upsampleIntoConcats() {
    if (shape_[0] != 1 || ctx_.layout != engine::blockedLayout()) return;
    const memory::dim block = engine::channelBlock();
    const size_t elem = memory::data_type_size(ctx_.dtype);
    for (auto& op : ops_) {
        auto* concat = dynamic_cast<ops::Concat*>(op.get());
        if (!concat || !arena_.holds(concat->dst()->value)) continue;
        Tensor* dst = concat->dst();
        memory::dim at = 0;
        for (Tensor* src : concat->srcs()) {
            const memory::dim C = src->dims[1];
            const memory::dim offset = at;
            at += C;
            if (offset % block || C % block || src->consumers != 1 || src == output_ || src == code_) continue;
            size_t producer = ops_.size();
            for (size_t i = 0; i < ops_.size(); ++i)
                if (ops_[i]->dst() == src && dynamic_cast<ops::Upsample2x*>(ops_[i].get())) producer = i;
            auto copy = std::find_if(concat->forwardSteps.begin(), concat->forwardSteps.end(), [&](const engine::Step& s) {
                const auto from = s.args.find(DNNL_ARG_FROM);
                return from != s.args.end() && from->second.get() == src->value.get();
            });
            if (producer == ops_.size() || copy == concat->forwardSteps.end()) continue;
            const size_t bytes = size_t(offset) * size_t(src->dims[2]) * size_t(src->dims[3]) * elem;
            const memory view = arena_.alias(dst->value, src->desc(), ctx_.eng, bytes);
            for (auto& step : ops_[producer]->forwardSteps) {
                for (auto& [arg, mem] : step.args)
                    if (mem.get() == src->value.get()) mem = view;
                step.cArgs.clear();
            }
            concat->forwardSteps.erase(copy);
            arena_.use(dst->value, int(producer) + 1);
            arena_.drop(src->value);
            src->value = view;
        }
    }
}

float* Graph::inputBuffer() { return static_cast<float*>(inputUser_.get_data_handle()); }
const float* Graph::outputBuffer() const { return static_cast<const float*>(outputUser_.get_data_handle()); }
void Graph::setOutputStrips(int rows) {
    if (rows < 0) fail(ErrorKind::InvalidArgument, "output strips need a positive number of rows (0: whole)");
    if (rows == stripRowsAsked_) return;
    stripRowsAsked_ = rows;
    finalized_ = false;  // the next finalize builds the new edge
}

const float* Graph::outputRows(int y0) {
    if (!finalized_ || stripRows_ <= 0) fail(ErrorKind::Internal, "Graph::outputRows without output strips");
    if (y0 < 0 || y0 % stripRows_ || y0 >= output_->dims[2])
        fail(ErrorKind::Internal, "Graph::outputRows: row " + std::to_string(y0) + " does not start a strip");
    if (stripConv_) stripConv_->runStrip(ctx_.strm, y0);
    else stripView_.set_data_handle(static_cast<char*>(output_->value.get_data_handle()) + size_t(y0) * stripRowBytes_);
    stripReorder_.execute(ctx_.strm, {{DNNL_ARG_FROM, stripView_}, {DNNL_ARG_TO, outputUser_}});
    return static_cast<const float*>(outputUser_.get_data_handle());
}

float* Graph::outputDiffBuffer() { return static_cast<float*>(outputDiffUser_.get_data_handle()); }
const float* Graph::inputDiffBuffer() const { return static_cast<const float*>(inputDiffUser_.get_data_handle()); }
const float* Graph::codeBuffer() {
    engine::run(ctx_.strm, codeSteps_);
    return static_cast<const float*>(codeUser_.get_data_handle());
}
float* Graph::codeDiffBuffer() {
    if (codeSlot_ < 0) fail(ErrorKind::Internal, "code gradient was not requested before setShape");
    return static_cast<float*>(codeDiffUser_.get_data_handle());
}

void Graph::weightsChanged() {
    weightsDirty_ = true;
    for (auto& op : ops_) op->weightsChanged();
}

void Graph::forward() {
    if (!finalized_) fail(ErrorKind::Internal, "Graph::forward before finalize");
    // Prepared weights: all of them after the weights changed, else those a new shape gave new buffers.
    for (auto& op : ops_)
        if (weightsDirty_ || op->preparedAnew) {
            engine::run(ctx_.strm, op->prepareSteps);
            op->preparedAnew = false;
            op->prepareRan();
        }
    weightsDirty_ = false;
    engine::run(ctx_.strm, inputSteps_);
    for (auto& op : ops_) engine::run(ctx_.strm, op->forwardSteps);
    engine::run(ctx_.strm, outputSteps_);
}

void Graph::backward() {
    if (!ctx_.training) fail(ErrorKind::Internal, "Graph::backward on an inference graph");
    engine::run(ctx_.strm, lossDiffSteps_);
    for (size_t i = ops_.size(); i-- > 0;) {
        engine::run(ctx_.strm, gathers_[i]);
        engine::run(ctx_.strm, ops_[i]->backwardSteps);
    }
    if (inputGradient_) {
        engine::run(ctx_.strm, inputGather_);
        engine::run(ctx_.strm, inputDiffSteps_);
    }
}

std::vector<ops::Param*> Graph::params() const {
    std::vector<ops::Param*> out;
    for (auto& op : ops_)
        for (auto& p : op->params()) out.push_back(p.get());
    return out;
}

std::vector<std::string> Graph::implementations() const {
    std::vector<std::string> out;
    for (auto& op : ops_) {
        std::vector<const std::vector<engine::Step>*> lists{&op->forwardSteps, &op->backwardSteps};
        if (op.get() == stripConv_) lists.push_back(&stripConv_->stripSteps);
        for (const auto* steps : lists)
            for (const auto& step : *steps) out.push_back(op->name() + ": " + engine::implementation(step));
    }
    return out;
}

}  // namespace aekit::graph
