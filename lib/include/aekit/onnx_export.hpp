// SPDX-License-Identifier: Apache-2.0
// A model's network as an ONNX file, for running it outside aekit (OpenCV's dnn module, ONNX
// Runtime, PyTorch's importers). Opset 9, with only operators OpenCV 4.6 imports: Conv, Relu,
// LeakyRelu, Sigmoid, Tanh, MaxPool, Upsample (nearest), ConvTranspose, Concat, Sub. The graph
// takes and returns what aekit's network does (docs/model-format.md, "ONNX export").
#pragma once
#include <cstdint>
#include <vector>

#include "aekit/model.hpp"

namespace aekit {

// The ONNX ModelProto, serialised. Throws Error(Unsupported) for a network with no opset-9 form
// that reads the same way (bilinear upsampling: Upsample-9's "linear" maps coordinates without
// aekit's half-pixel centres).
std::vector<uint8_t> exportOnnx(const Model& model);

}  // namespace aekit
