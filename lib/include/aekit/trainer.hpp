// SPDX-License-Identifier: Apache-2.0
// Training: a folder of images in, a model file out (denoise, colorize or reconstruct), with
// validation, logs, plots, checkpoints and exact resume. Options mirror `aekit train`.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aekit/architecture.hpp"
#include "aekit/loss.hpp"
#include "aekit/model.hpp"
#include "aekit/network.hpp"

namespace aekit {

enum class ColorizeMode { Classify, Regress };

// Where a run stands, for the caller to show (the trainer prints nothing itself).
struct TrainProgress {
    int64_t step = 0, steps = 0;
    double loss = 0;              // mean training loss since the last report
    double lr = 0;
    double patchesPerSecond = 0;  // since the last report
    double etaSeconds = 0;
    double dataWaitShare = 0;     // share of the run's time the compute thread waited for batches
    bool validated = false;       // a validation has just run; the figures below are its
    double valPsnr = 0;           // dB (colorize: of the colour result)
    double valInputPsnr = 0;      // of the input itself (denoise: noisy; colorize: grey)
    double colourfulness = 0;     // colorize: the outputs' colourfulness as a share of the truth's
    bool final = false;           // the run's last report
};
// "val PSNR 31.95 dB (input 23.21)" (colorize: "... (gray ...), colourfulness 84% of truth"): the
// validation's figures as the model file's provenance and `aekit train` show them.
std::string describeValidation(Task task, const TrainProgress& p);

struct TrainOptions {
    Task task = Task::Denoise;
    std::vector<std::string> data;    // folders of training images (degraded ones when target is set)
    std::vector<std::string> target;  // paired clean folders, matched by relative path (optional)
    std::vector<std::string> val;     // validation folders; empty: a seeded split of data
    std::string out;                  // model path; checkpoint at out + ".ckpt", log out + ".csv", etc.

    int64_t steps = 10000;  // total: a resumed run stops at the same step
    int batch = 16;           // the global batch: with mpirun, each of N ranks makes and runs batch / N
    int patch = 64;
    // > 1: half the patches are cut from a region up to this many times smaller and enlarged to the
    // patch (bilinear), so the network also sees content as smooth as a full-resolution photo's.
    double zoom = 1;
    // > 0: every training and validation image is first resized so that its shorter side has this
    // many pixels, and each patch is a random square of side --patch to that many (as the image
    // allows), resized to --patch: a whole scene at one scale, for colorizers (zoom is then unused).
    int resizeShort = 0;
    // > 0: every training and validation image larger than this on its longer side is first shrunk
    // to it (area averaging): a colorizer learns pages at the scale its working size gives them.
    int resizeLong = 0;
    // Denoise, colour models: this share of the examples is turned grey after the noise (the luma in
    // all three channels, input and target alike), as a grey photo reaches a colour model.
    double grayShare = 0;
    double lr = 1e-3;
    double minLr = 1e-5;
    int64_t warmup = -1;     // -1: 2% of steps, at most 1000
    std::string schedule = "cosine";
    std::string optimizer = "adam";
    double weightDecay = 0;
    double clip = 1.0;       // gradient-norm clip (0: off)
    uint64_t seed = 1;
    int threads = 0;         // 0: all cores
    int loaderThreads = 1;   // background threads preparing batches
    Precision precision = Precision::F32;  // bf16: activations and gradients in bf16, f32 master weights
    std::string noise;       // "" = the task's default (denoise: gaussian:0-55; others: none)
    Architecture arch;       // the shape; channels, residual and activations come from taskArchitecture()
    std::optional<bool> skips, residual;  // unset: the task's (skips but for reconstruct; residual for denoise)
    bool gray = false;       // train a one-channel model (denoise, reconstruct)
    LossKind loss = LossKind::MSE;
    Sparsity sparsity;
    ColorizeMode colorize = ColorizeMode::Classify;
    // Classify: how far the class weights lean to rare colours, Zhang et al.'s lambda: weights
    // 1 / ((1 - lambda) p + lambda / Q). 0.5 (theirs): vivid; 1: no rebalancing (plain cross-entropy).
    double rebalance = 0.5;
    // Classify: each pixel's label is its nearest ab bin (false), or the 4 bins around its colour with
    // bilinear shares (true: the model can learn colours finer than the bins, such as paper tones).
    bool softLabels = false;
    bool resume = false;
    // A model file to start from (fine-tuning a shipped model on one's own images, or a new patch
    // size): its weights, with a fresh optimiser and schedule. Its task and architecture must be the
    // ones these options build, or the same with fewer convolutions per level (a deeper network grown
    // from it, computing the same function at the start). Ignored by --resume (the checkpoint has the weights).
    std::string init;
    int64_t stopAfter = 0;  // > 0: stop at this step as if interrupted (checkpoint, no model); for tests
    int64_t rankExitAt = 0; // > 0, with mpirun: the last rank dies (exits at once, no message) after this step; for tests

    int64_t valEvery = 500;
    int valImages = 16;
    int valCrop = 192;
    double valFraction = 0.10;      // share of data kept for validation when val is empty (at least 2 images)
    double checkpointMinutes = 5;
    uint64_t cacheMegabytes = 3072; // decoded images kept in memory
    uint64_t maxPixels = 200'000'000;

    // Called about once a second and after each validation, on the training thread.
    std::function<void(const TrainProgress&)> onProgress;
    std::function<void(const std::string& line)> onNote;
    const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): checkpoint and return
};

// The network a run trains for o.task: o.arch's shape (levels, channels, convolutions, upsampling,
// activation, input skip) with what the task and options decide: channels in and out and colour
// space (gray, colorize's classes), skips and residual output (o.skips and o.residual, else the
// task's), a sigmoid output for BCE, a sigmoid code for KL sparsity. Validated; throws Error on a
// combination that cannot be trained.
Architecture taskArchitecture(const TrainOptions& o);

struct TrainResult {
    int64_t step = 0;
    bool interrupted = false;
    double lastLoss = 0;
    double valMetric = 0;      // PSNR in dB (colorize: PSNR of the colour result)
    double dataWaitShare = 0;  // share of wall time the compute thread waited for batches
    double loaderSecondsPerBatch = 0;  // CPU time a loader thread spent making one batch (patches, noise)
    double patchesPerSecond = 0;
    double seconds = 0;
    // Data-parallel (mpirun): ranks, and this rank's time in the gradient allreduce (waiting for the
    // slowest rank included), the bytes each step sums and the fused buffers they travel in.
    int ranks = 1;
    double allreduceSeconds = 0;
    int64_t allreduceCalls = 0;  // one per step of this run
    int64_t allreduceBytes = 0;
    int allreduceBuckets = 0;
};

// Refuses bad input before any long work (missing or empty folders, images smaller than the patch,
// unmatched targets, a checkpoint whose architecture differs): throws Error with one clear line.
TrainResult train(const TrainOptions& options);

// Throws Error(BadFile) naming the file unless a checkpoint's aekit.checkpoint record `text` has
// every value of its type and range (step, batch, patch, seed, noise, ...; class weights when classify).
void checkCheckpointRecord(const std::string& text, const std::string& path, bool classify = false);

// Draws a training log (MODEL.csv, as train writes it) as train's plot: the loss on a log scale and
// the validation figure, labelled `valLabel`, side by side. Throws Error(BadFile) naming the log when
// it is not a training log or holds no row; the PNG is written atomically.
void plotTrainingLog(const std::string& csvPath, const std::string& pngPath, const std::string& valLabel);

// The ab-bin class weights a colorize run with these options trains with: from the histogram of its
// training images (o.data after the validation split, resized by o.resizeShort) and o.rebalance.
// For colorizers saved before models carried their weights (`aekit info --record-class-weights`).
std::vector<float> colourClassWeights(const TrainOptions& o);

}  // namespace aekit
