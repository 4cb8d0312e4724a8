// The benchmark of DESIGN.md ("bench-unet", contract): training patches per second (batch 16 of
// 128x128: forward, backward, Adam), inference megapixels per second on a 1024x1024 colour image,
// achieved GFLOP/s against oneDNN's sgemm rate measured in the same run, peak RSS, threads.
#pragma once
#include <functional>
#include <string>

namespace aekit {

struct BenchOptions {
    bool quick = false;  // fewer repeats and a smaller sgemm: for CI, not for figures
    int repeats = 0;     // 0: 10 (quick: 3)
    std::function<void(const std::string&)> onNote;
};

struct BenchResult {
    int threads = 0;
    double trainStepsPerSecond = 0, trainPatchesPerSecond = 0, trainGflops = 0;
    double inferMpixPerSecond = 0, inferGflops = 0;
    double peakGflops = 0;  // sgemm M=N=K=4096 (quick: 2048)
    double peakRssMb = 0;
    double macsPerPixel = 0;
    std::string toJson() const;
};

BenchResult runBench(const BenchOptions& options);

}  // namespace aekit
