// SPDX-License-Identifier: Apache-2.0
// The benchmark of docs/design.md ("bench-unet", contract): training patches per second (batch 16 of
// 128x128: forward, backward, Adam), inference megapixels per second on a 1024x1024 colour image,
// achieved GFLOP/s against oneDNN's sgemm rate measured in the same run, peak RSS, threads; in f32
// (default algorithm and direct only) and, where the CPU has AVX512-BF16, in bf16. Optionally a
// model's own network on the same 1024x1024 input, as inference runs it: the rate that end-to-end
// figures of that model compare with.
#pragma once
#include <functional>
#include <string>

#include "aekit/model.hpp"

namespace aekit {

struct BenchOptions {
    bool quick = false;  // fewer repeats and a smaller sgemm: for CI, not for figures
    int repeats = 0;     // 0: 10 (quick: 3)
    const Model* model = nullptr;  // also time this model's network (f32, default algorithm)
    std::string modelName;         // for the report
    std::function<void(const std::string&)> onNote;
};

struct BenchResult {
    struct Figures {
        double stepsPerSecond = 0, patchesPerSecond = 0;  // training
        double mpixPerSecond = 0;                         // inference
        double gflops = 0;
    };
    int threads = 0;
    // f32 with the default convolution algorithm (Winograd where faster: its GFLOP/s count the direct
    // algorithm's multiplies, so they can pass the sgemm peak), and f32 with direct convolutions only.
    Figures train, infer;
    Figures trainDirect, inferDirect;
    bool bf16 = false;             // the CPU runs bf16 convolutions (AVX512-BF16): the next two are set
    Figures trainBf16, inferBf16;  // bf16 activations, f32 master weights
    double peakGflops = 0;         // f32 sgemm M=N=K=4096 (quick: 2048)
    double peakRssMb = 0;
    double macsPerPixel = 0;
    // With BenchOptions::model: its network's inference rate and cost.
    std::string modelName;
    double modelMpixPerSecond = 0, modelMacsPerPixel = 0;
    std::string toJson() const;
};

BenchResult runBench(const BenchOptions& options);

}  // namespace aekit
