// SPDX-License-Identifier: Apache-2.0
// ONNX export (see aekit/onnx_export.hpp). The protobuf wire format is written here directly (a
// handful of messages of onnx.proto: ModelProto, GraphProto, NodeProto, TensorProto, ...), so no
// protobuf library is needed.
#include "aekit/onnx_export.hpp"

#include <cstring>
#include <string>

#include "aekit/error.hpp"

namespace aekit {

namespace {

// One protobuf message being written: fields appended in order.
class Message {
public:
    Message& varint(int field, uint64_t v) {
        key(field, 0);
        raw(v);
        return *this;
    }
    Message& bytes(int field, const std::string& s) { return bytes(field, s.data(), s.size()); }
    Message& bytes(int field, const void* data, size_t size) {
        key(field, 2);
        raw(size);
        out_.append(static_cast<const char*>(data), size);
        return *this;
    }
    Message& message(int field, const Message& m) { return bytes(field, m.out_); }
    Message& fixed32(int field, float f) {
        key(field, 5);
        uint32_t u;
        std::memcpy(&u, &f, 4);
        for (int i = 0; i < 4; ++i) out_.push_back(char(u >> (8 * i)));
        return *this;
    }
    const std::string& str() const { return out_; }

private:
    void key(int field, int wire) { raw(uint64_t(field) << 3 | uint64_t(wire)); }
    void raw(uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(char(v | 0x80));
            v >>= 7;
        }
        out_.push_back(char(v));
    }
    std::string out_;
};

// onnx.proto's field numbers and enums used here.
namespace f {
constexpr int kModelIrVersion = 1, kModelProducerName = 2, kModelProducerVersion = 3, kModelDoc = 6, kModelGraph = 7,
              kModelOpset = 8;
constexpr int kOpsetVersion = 2;
constexpr int kGraphNode = 1, kGraphName = 2, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12;
constexpr int kNodeInput = 1, kNodeOutput = 2, kNodeName = 3, kNodeOpType = 4, kNodeAttribute = 5;
constexpr int kAttrName = 1, kAttrF = 2, kAttrI = 3, kAttrS = 4, kAttrInts = 8, kAttrType = 20;
constexpr int kAttrFloat = 1, kAttrInt = 2, kAttrString = 3, kAttrIntsType = 7;
constexpr int kTensorDims = 1, kTensorDataType = 2, kTensorName = 8, kTensorRaw = 9;
constexpr int kTensorFloat = 1;
constexpr int kValueName = 1, kValueType = 2, kTypeTensor = 1, kTypeElem = 1, kTypeShape = 2, kShapeDim = 1, kDimValue = 1,
              kDimParam = 2;
}  // namespace f

constexpr int kOpset = 9, kIrVersion = 4;  // IR version 4 is the one opset 9 shipped with

Message intsAttribute(const std::string& name, const std::vector<int64_t>& values) {
    Message a;
    a.bytes(f::kAttrName, name);
    for (int64_t v : values) a.varint(f::kAttrInts, uint64_t(v));
    a.varint(f::kAttrType, f::kAttrIntsType);
    return a;
}
Message intAttribute(const std::string& name, int64_t v) {
    Message a;
    a.bytes(f::kAttrName, name).varint(f::kAttrI, uint64_t(v)).varint(f::kAttrType, f::kAttrInt);
    return a;
}
Message floatAttribute(const std::string& name, float v) {
    Message a;
    a.bytes(f::kAttrName, name).fixed32(f::kAttrF, v).varint(f::kAttrType, f::kAttrFloat);
    return a;
}
Message stringAttribute(const std::string& name, const std::string& v) {
    Message a;
    a.bytes(f::kAttrName, name).bytes(f::kAttrS, v).varint(f::kAttrType, f::kAttrString);
    return a;
}

Message tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data) {
    Message t;
    for (int64_t d : dims) t.varint(f::kTensorDims, uint64_t(d));
    t.varint(f::kTensorDataType, f::kTensorFloat).bytes(f::kTensorName, name);
    std::string raw(data.size() * 4, '\0');  // little-endian floats, as raw_data is defined
    for (size_t i = 0; i < data.size(); ++i) {
        uint32_t u;
        std::memcpy(&u, &data[i], 4);
        for (int b = 0; b < 4; ++b) raw[i * 4 + size_t(b)] = char(u >> (8 * b));
    }
    t.bytes(f::kTensorRaw, raw);
    return t;
}

// A float tensor N x C x H x W with N, H and W left free (any batch and size that is a multiple
// of the network's alignment).
Message imageValue(const std::string& name, int channels) {
    Message shape;
    shape.message(f::kShapeDim, Message().bytes(f::kDimParam, std::string("batch")));
    shape.message(f::kShapeDim, Message().varint(f::kDimValue, uint64_t(channels)));
    shape.message(f::kShapeDim, Message().bytes(f::kDimParam, std::string("height")));
    shape.message(f::kShapeDim, Message().bytes(f::kDimParam, std::string("width")));
    Message tensorType;
    tensorType.varint(f::kTypeElem, f::kTensorFloat).message(f::kTypeShape, shape);
    Message v;
    v.bytes(f::kValueName, name).message(f::kValueType, Message().message(f::kTypeTensor, tensorType));
    return v;
}

class GraphWriter {
public:
    Message graph;
    std::string node(const std::string& opType, const std::string& name, const std::vector<std::string>& inputs,
                     const std::vector<Message>& attributes = {}) {
        Message n;
        for (const auto& in : inputs) n.bytes(f::kNodeInput, in);
        n.bytes(f::kNodeOutput, name).bytes(f::kNodeName, name).bytes(f::kNodeOpType, opType);
        for (const auto& a : attributes) n.message(f::kNodeAttribute, a);
        graph.message(f::kGraphNode, n);
        return name;
    }
    void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data) {
        graph.message(f::kGraphInitializer, tensor(name, dims, data));
    }
    std::string activation(Activation a, const std::string& name, const std::string& x) {
        switch (a) {
            case Activation::None: return x;
            case Activation::ReLU: return node("Relu", name, {x});
            case Activation::LeakyReLU: return node("LeakyRelu", name, {x}, {floatAttribute("alpha", 0.1f)});
            case Activation::Sigmoid: return node("Sigmoid", name, {x});
            case Activation::Tanh: return node("Tanh", name, {x});
        }
        fail(ErrorKind::Internal, "ONNX export: unknown activation");
    }
};

const HostTensor& weight(const Model& m, const std::string& name) {
    auto it = m.weights.find(name);
    if (it == m.weights.end()) fail(ErrorKind::BadFile, "ONNX export: the model has no tensor '" + name + "'");
    return it->second;
}

}  // namespace

std::vector<uint8_t> exportOnnx(const Model& model) {
    const Architecture& a = model.arch;
    if (a.upsample == Upsample::Bilinear)
        fail(ErrorKind::Unsupported,
             "ONNX export: bilinear upsampling has no opset-9 operator that OpenCV reads the same way (Upsample's "
             "'linear' has no half-pixel centres); models with nearest or deconv upsampling export");
    GraphWriter g;
    const std::string input = "input";
    std::string t = input;
    std::vector<std::string> skips;  // by level: the input of that level's pooling
    const std::vector<Layer> layers = a.layers();
    const std::string output = "output";
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& layer = layers[i];
        // The last node writes the graph's output tensor (no Identity node: fewer operators to import).
        const bool last = i + 1 == layers.size();
        auto named = [&](const std::string& name) { return last ? output : name; };
        switch (layer.kind) {
            case LayerKind::Conv3x3: {
                const HostTensor& w = weight(model, layer.name + ".weight");
                const HostTensor& b = weight(model, layer.name + ".bias");
                g.initializer(layer.name + ".weight", w.shape, w.data);
                g.initializer(layer.name + ".bias", b.shape, b.data);
                const bool activated = layer.activation != Activation::None;
                t = g.node("Conv", activated ? layer.name : named(layer.name), {t, layer.name + ".weight", layer.name + ".bias"},
                           {intsAttribute("kernel_shape", {3, 3}), intsAttribute("pads", {1, 1, 1, 1}),
                            intsAttribute("strides", {1, 1})});
                t = g.activation(layer.activation, named(layer.name + ".act"), t);
                break;
            }
            case LayerKind::MaxPool2x2:
                skips.push_back(t);
                t = g.node("MaxPool", named(layer.name), {t}, {intsAttribute("kernel_shape", {2, 2}), intsAttribute("strides", {2, 2})});
                break;
            case LayerKind::Upsample2x:
                g.initializer(layer.name + ".scales", {4}, {1.f, 1.f, 2.f, 2.f});
                t = g.node("Upsample", named(layer.name), {t, layer.name + ".scales"}, {stringAttribute("mode", "nearest")});
                break;
            case LayerKind::Deconv2x2: {
                // aekit (oneDNN) stores OC x IC x 2 x 2; ONNX's ConvTranspose wants IC x OC x 2 x 2.
                const HostTensor& w = weight(model, layer.name + ".weight");
                const int64_t OC = w.shape[0], IC = w.shape[1];
                std::vector<float> swapped(w.data.size());
                for (int64_t o = 0; o < OC; ++o)
                    for (int64_t c = 0; c < IC; ++c)
                        for (int k = 0; k < 4; ++k) swapped[size_t((c * OC + o) * 4 + k)] = w.data[size_t((o * IC + c) * 4 + k)];
                g.initializer(layer.name + ".weight", {IC, OC, 2, 2}, swapped);
                t = g.node("ConvTranspose", named(layer.name), {t, layer.name + ".weight"},
                           {intsAttribute("kernel_shape", {2, 2}), intsAttribute("strides", {2, 2})});
                break;
            }
            case LayerKind::Concat: {
                std::vector<std::string> srcs{t, skips.at(size_t(layer.level))};  // aekit's order: [upsampled, skip (, input)]
                if (layer.withInput) srcs.push_back(input);
                t = g.node("Concat", named(layer.name), srcs, {intAttribute("axis", 1)});
                break;
            }
            case LayerKind::Residual: t = g.node("Sub", named(layer.name), {input, t}); break;  // input - predicted noise
        }
    }
    g.graph.bytes(f::kGraphName, std::string("aekit-") + toString(model.task));
    g.graph.message(f::kGraphInput, imageValue(input, a.inChannels));
    g.graph.message(f::kGraphOutput, imageValue(output, a.outChannels));

    Message m;
    m.varint(f::kModelIrVersion, kIrVersion)
        .bytes(f::kModelProducerName, std::string("aekit"))
        .bytes(f::kModelProducerVersion, std::string(AEKIT_VERSION))
        .bytes(f::kModelDoc, std::string("aekit ") + toString(model.task) + " model; architecture " + a.toJson())
        .message(f::kModelGraph, g.graph)
        .message(f::kModelOpset, Message().varint(f::kOpsetVersion, kOpset));
    return {m.str().begin(), m.str().end()};
}

}  // namespace aekit
