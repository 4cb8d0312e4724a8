// SPDX-License-Identifier: Apache-2.0
// The autoencoder's architecture spec: what the graph builder reads and the model file stores
// (as the JSON of aekit.arch). Plain data, no compute engine: reading and checking a model file
// needs only this. Not the weights, not the training recipe.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aekit {

enum class Activation { None, ReLU, LeakyReLU, Sigmoid, Tanh };
enum class Upsample { Nearest, Bilinear, Deconv };

// One layer of the network, in the order the data flows. Architecture::layers() is the one list
// that the graph builder, the cost figures, the receptive field, model-file checks, layer growing
// and `aekit info` all read.
enum class LayerKind {
    Conv3x3,     // weights OC x IC x 3 x 3 and a bias OC, then `activation`
    MaxPool2x2,  // its input is also the skip of its level
    Upsample2x,  // nearest or bilinear (Architecture::upsample)
    Deconv2x2,   // transposed convolution, stride 2, weights OC x IC x 2 x 2, no bias
    Concat,      // [upsampled, skip of this level (, network input)] along channels
    Residual,    // network input minus the prediction
};
struct Layer {
    std::string name;  // model-file tensor prefix for layers with weights ("enc0a" -> "enc0a.weight")
    LayerKind kind;
    int inChannels, outChannels;
    int level;         // the resolution it computes at: 1/2^level of the input's side
    Activation activation = Activation::None;  // Conv3x3 only
    bool withInput = false;                    // Concat only: the network input is concatenated too
    bool hasWeights() const { return kind == LayerKind::Conv3x3 || kind == LayerKind::Deconv2x2; }
};
const char* toString(LayerKind k);

struct Architecture {
    int inChannels = 3;
    int outChannels = 3;
    // Channels of each encoder level, level 0 at full resolution; each level ends in 2x2 max pooling,
    // so an input's H and W must be multiples of 2^levels().
    std::vector<int> encoder{32, 48, 64, 80};
    int code = 96;  // bottleneck channels (after the last pooling)
    // Channels of each decoder level, level 0 first (same length as encoder).
    std::vector<int> decoder{32, 64, 64, 96};
    int convsPerLevel = 2;  // 3x3 convolutions per encoder level, per decoder level and in the code
    bool skips = true;      // U-Net concatenation of encoder level l into decoder level l
    bool inputSkip = false; // also concatenate the network input at level 0 (Open Image Denoise)
    bool residual = true;   // output = input - prediction (the network predicts the noise)
    Upsample upsample = Upsample::Nearest;
    Activation activation = Activation::ReLU;        // after every convolution but the output's
    Activation codeActivation = Activation::ReLU;    // of the code convolutions (Sigmoid for KL sparsity)
    Activation outputActivation = Activation::None;  // Sigmoid for BCE loss
    std::string colorSpace = "rgb";                  // rgb | gray | lab (L in, ab out)

    int levels() const { return static_cast<int>(encoder.size()); }
    int alignment() const { return 1 << levels(); }  // H and W must be multiples of this

    // Throws Error(InvalidArgument) naming the first inconsistency.
    void validate() const;
    // Every layer, input to output (validates first).
    std::vector<Layer> layers() const;
    // The model file's tensors: "<layer>.weight" and "<layer>.bias" with their shapes.
    std::map<std::string, std::vector<int64_t>> tensorShapes() const;
    // Multiply-adds per input pixel of one forward pass.
    double macsPerPixel() const;
    // Weights and biases, counted without building anything (a model file's tensors must hold
    // exactly this many values: checked before any network is allocated).
    int64_t parameterCount() const;
    // Receptive field in pixels (side of the square of input pixels one output pixel depends on).
    int receptiveField() const;

    std::string toJson() const;
    static Architecture fromJson(const std::string& json);  // throws Error(BadFile) on bad JSON

    // The benchmark network (docs/design.md, "bench-unet").
    static Architecture benchUnet();
};

const char* toString(Activation a);
const char* toString(Upsample u);
Activation parseActivation(const std::string& s);
Upsample parseUpsample(const std::string& s);

}  // namespace aekit
