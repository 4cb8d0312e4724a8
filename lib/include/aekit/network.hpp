// SPDX-License-Identifier: Apache-2.0
// A convolutional autoencoder built from an Architecture and run on oneDNN: forward, and in
// training mode backward to every parameter (and optionally to the input and from the code).
// Not the loss or the optimiser (loss.hpp, optimizer.hpp) and not tiling (inference.hpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aekit/architecture.hpp"
#include "aekit/weights.hpp"

namespace aekit {

enum class Mode { Training, Inference };
// Arithmetic of the convolutions: f32, or bf16 (AVX512-BF16; activations and their gradients in
// bf16, master weights, biases, weight gradients, the loss and the caller's buffers in f32).
enum class Precision { F32, BF16 };
const char* toString(Precision p);
Precision parsePrecision(const std::string& s);  // "f32" | "bf16"; throws Error(InvalidArgument)
// Whether this CPU runs bf16 convolutions natively (oneDNN's avx512_core_bf16 or later).
bool bf16Supported();

// How f32 3x3 convolutions are computed. Auto: Winograd F(4x4, 3x3) for the passes where oneDNN
// offers it and it was measured faster (about 2x in the middle of a U-Net: fewer multiplies, the
// same network; rounding differs from direct by about 1e-6 relative), direct elsewhere. Direct:
// always the direct algorithm. bf16 is always direct (oneDNN has no bf16 Winograd).
enum class ConvAlgorithm { Auto, Direct };
const char* toString(ConvAlgorithm a);
ConvAlgorithm parseConvAlgorithm(const std::string& s);  // "auto" | "direct"; throws Error(InvalidArgument)
// Process-wide, like setThreads: call before building networks.
void setConvAlgorithm(ConvAlgorithm a);
ConvAlgorithm convAlgorithm();

// A parameter as the optimiser sees it: plain row-major value and gradient, same length.
struct ParamView {
    std::string name;  // model-file tensor name, e.g. "enc0a.weight"
    float* value;
    float* grad;
    int64_t size;
    bool decay;        // weight decay applies (weights yes, biases no)
};

class Network {
public:
    Network(const Architecture& arch, Mode mode, Precision precision = Precision::F32);
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    const Architecture& architecture() const;
    Mode mode() const;
    Precision precision() const;

    // He-normal weights, zero biases, from a seeded generator (aekit::Random); a residual network's
    // output layer at a tenth of that, so that it starts near the identity.
    void initWeights(uint64_t seed);
    // Requires every tensor of weights() with matching shapes; throws Error(BadFile) naming the tensor.
    void setWeights(const WeightMap& weights);
    WeightMap weights() const;
    int64_t parameterCount() const;

    // Training only, before setShape: the input's gradient is wanted (default: not computed), and
    // a penalty on the code will add its gradient through codeGradient().
    void requestInputGradient();
    void requestCodeGradient();

    // Build every primitive and buffer for batches of N x inChannels x H x W (H, W multiples of
    // alignment()). Cheap to call again with the same shape; a new shape rebuilds.
    void setShape(int N, int H, int W);
    // Bytes of the buffers setShape allocated for this shape (all but the weights).
    size_t shapeBytes() const;
    // Inference: the most bytes the network's block of buffers may keep from one shape to the next
    // (0, the default: kept while at most 8 times what the new shape needs). A caller with a memory
    // budget sets it, so that a small shape between two large ones keeps the block for the next.
    void setBlockLimit(size_t bytes);
    // Inference: hands the block of buffers back (another network is about to run); the next
    // setShape builds its shape again.
    void releaseBlock();
    // Inference: how many weight layouts each convolution keeps from recent shapes (default 3; at
    // least 1, the current shape's). Each is a copy of the weights (Winograd's 4 times their size):
    // a caller under a strict ceiling keeps 1.
    void setKeptWeightLayouts(size_t n);
    int batch() const;
    int height() const;
    int width() const;

    // input: N x inChannels x H x W, plain NCHW floats, written by the caller before forward().
    float* input();
    void forward();
    // output: N x outChannels x H x W, plain NCHW, valid after forward().
    const float* output() const;
    // Inference with many output channels (a colorizer's class scores): before setShape, ask for
    // the output a strip of at most `rows` rows at a time (0: whole, the default), so that no plain
    // copy of the whole output is held. forward() then leaves output() empty; outputRows(y0)
    // converts rows [y0, y0 + outputStripRows()) of image 0 and returns them, outChannels x rows x W
    // plain, valid until the next call. y0 is a multiple of outputStripRows(), which divides H.
    void setOutputStrips(int rows);
    int outputStripRows() const;
    const float* outputRows(int y0);
    // code: N x code x H/2^L x W/2^L plain NCHW, valid after forward().
    const float* code();
    std::vector<int64_t> codeShape() const;

    // Training: outputGradient (N x outChannels x H x W) and, if requested, codeGradient are written by
    // the caller; backward() then ASSIGNS (does not accumulate) every parameter gradient, and the input
    // gradient if requested.
    float* outputGradient();
    float* codeGradient();
    void backward();
    const float* inputGradient() const;

    std::vector<ParamView> params();
    // Call after changing parameter values through params(): re-derives oneDNN's weight layouts.
    void weightsChanged();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Threads used by oneDNN and aekit's own loops. 0: the machine's cores shared among the processes
// of one job that run on it (mpirun -np 2 on 2 cores: 1 each; the caller knows its job, see
// Cluster::job().localSize()). One owner: call before building networks.
void setThreads(int threads, int processesHere = 1);
int threads();

}  // namespace aekit
