// SPDX-License-Identifier: Apache-2.0
// bench-unet timing (see aekit/bench.hpp). Medians after a warm-up; FLOPs counted as 2 per
// multiply-add, training as 3x the forward (forward, backward-data, backward-weights).
#include "aekit/bench.hpp"

#include <nlohmann/json.hpp>
#include <oneapi/dnnl/dnnl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "aekit/architecture.hpp"
#include "aekit/inference.hpp"
#include "aekit/loss.hpp"
#include "aekit/network.hpp"
#include "aekit/optimizer.hpp"
#include "aekit/random.hpp"
#include "aekit/train_step.hpp"

namespace aekit {

namespace {

using Clock = std::chrono::steady_clock;

template <class F>
double medianSeconds(int repeats, F&& f) {
    f();  // warm-up: first-touch page faults and primitive creation stay out of the figure
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = Clock::now();
        f();
        t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

double peakRssMb() {
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_maxrss) / 1024.0;
}

}  // namespace

std::string BenchResult::toJson() const {
    auto training = [&](const Figures& f) {
        return nlohmann::json{{"steps_per_s", f.stepsPerSecond}, {"patches_per_s", f.patchesPerSecond},
                              {"gflops", f.gflops}, {"share_of_peak", peakGflops > 0 ? f.gflops / peakGflops : 0},
                              {"batch", 16}, {"patch", 128}};
    };
    auto inference = [&](const Figures& f) {
        return nlohmann::json{{"mpix_per_s", f.mpixPerSecond}, {"gflops", f.gflops},
                              {"share_of_peak", peakGflops > 0 ? f.gflops / peakGflops : 0}, {"size", 1024}};
    };
    nlohmann::json j{{"threads", threads},
                     {"network", "bench-unet"},
                     {"macs_per_pixel", macsPerPixel},
                     {"train", training(train)},
                     {"infer_f32", inference(infer)},
                     {"train_f32_direct", training(trainDirect)},
                     {"infer_f32_direct", inference(inferDirect)},
                     {"effective_flops_note", "GFLOP/s count the direct algorithm's multiply-adds; Winograd does fewer"},
                     {"peak_gflops", peakGflops},
                     {"train_share_of_peak", peakGflops > 0 ? train.gflops / peakGflops : 0},
                     {"infer_share_of_peak", peakGflops > 0 ? infer.gflops / peakGflops : 0},
                     {"bf16", bf16},
                     {"peak_rss_mb", peakRssMb}};
    if (bf16) {
        j["train_bf16"] = training(trainBf16);
        j["infer_bf16"] = inference(inferBf16);
    }
    if (!modelName.empty())
        j["model"] = {{"name", modelName}, {"macs_per_pixel", modelMacsPerPixel}, {"mpix_per_s", modelMpixPerSecond}, {"size", 1024}};
    return j.dump(2);
}

BenchResult runBench(const BenchOptions& o) {
    BenchResult r;
    r.threads = threads();
    const int repeats = o.repeats > 0 ? o.repeats : (o.quick ? 3 : 10);
    auto note = [&](const std::string& s) {
        if (o.onNote) o.onNote(s);
    };
    const Architecture arch = Architecture::benchUnet();
    r.macsPerPixel = arch.macsPerPixel();
    Random rng(1);

    // Training: batch 16 of 128x128, forward + MSE + backward + Adam (f32 master weights).
    auto timeTraining = [&](Precision precision, BenchResult::Figures& f) {
        const int N = 16, P = 128;
        Network net(arch, Mode::Training, precision);
        net.initWeights(1);
        net.setShape(N, P, P);
        const int64_t n = int64_t(N) * 3 * P * P;
        std::vector<float> target(static_cast<size_t>(n));
        for (auto& v : target) v = float(rng.uniform());
        for (int64_t i = 0; i < n; ++i) net.input()[i] = std::clamp(target[size_t(i)] + 0.1f * (float(rng.uniform()) - 0.5f), 0.f, 1.f);
        const std::vector<float> input(net.input(), net.input() + n);
        Optimizer opt(OptimizerConfig{}, net);
        note(std::string("timing training steps, ") + toString(precision) + ", " + toString(convAlgorithm()));
        const double s = medianSeconds(repeats, [&] {
            trainStep(net, opt, Objective{}, {input.data(), target.data()}, 1e-4, 0);
        });
        f.stepsPerSecond = 1.0 / s;
        f.patchesPerSecond = N / s;
        f.gflops = 3 * 2 * r.macsPerPixel * double(N) * P * P / s / 1e9;
    };
    // Inference: one 1024x1024 colour image, whole.
    auto timeInference = [&](Precision precision, BenchResult::Figures& f) {
        const int S = 1024;
        Network net(arch, Mode::Inference, precision);
        net.initWeights(1);
        net.setShape(1, S, S);
        for (int64_t i = 0; i < int64_t(3) * S * S; ++i) net.input()[i] = float(rng.uniform());
        note(std::string("timing inference, ") + toString(precision) + ", " + toString(convAlgorithm()));
        const double s = medianSeconds(repeats, [&] { net.forward(); });
        f.mpixPerSecond = double(S) * S / 1e6 / s;
        f.gflops = 2 * r.macsPerPixel * double(S) * S / s / 1e9;
    };
    const ConvAlgorithm chosen = convAlgorithm();
    setConvAlgorithm(ConvAlgorithm::Direct);
    timeTraining(Precision::F32, r.trainDirect);
    timeInference(Precision::F32, r.inferDirect);
    setConvAlgorithm(chosen);
    timeTraining(Precision::F32, r.train);
    timeInference(Precision::F32, r.infer);
    r.bf16 = bf16Supported();
    if (r.bf16) {
        timeTraining(Precision::BF16, r.trainBf16);
        timeInference(Precision::BF16, r.inferBf16);
    }
    if (o.model) {  // the model's own network, as inference runs it
        const int S = 1024;
        ImageModel im(*o.model, InferenceOptions{});
        note("timing inference, " + o.modelName);
        im.timeNetworkPass(S);  // warm-up
        std::vector<double> t;  // the passes' own times, without filling their input
        for (int i = 0; i < repeats; ++i) t.push_back(im.timeNetworkPass(S));
        std::sort(t.begin(), t.end());
        r.modelName = o.modelName;
        r.modelMacsPerPixel = o.model->arch.macsPerPixel();
        r.modelMpixPerSecond = double(S) * S / 1e6 / t[t.size() / 2];
    }
    {  // peak: oneDNN's sgemm with the same threads
        const dnnl_dim_t M = o.quick ? 2048 : 4096;
        std::vector<float> A(size_t(M * M)), B(size_t(M * M)), C(size_t(M * M));
        for (auto& v : A) v = float(rng.uniform());
        for (auto& v : B) v = float(rng.uniform());
        note("timing sgemm " + std::to_string(M) + "^3");
        const double s = medianSeconds(std::max(2, repeats / 3), [&] {
            dnnl_sgemm('N', 'N', M, M, M, 1.f, A.data(), M, B.data(), M, 0.f, C.data(), M);
        });
        r.peakGflops = 2.0 * double(M) * M * M / s / 1e9;
    }
    r.peakRssMb = peakRssMb();
    return r;
}

}  // namespace aekit
