// SPDX-License-Identifier: Apache-2.0
// A training run's set-up: its options checked, what the task decides of it (its network,
// taskArchitecture; its colorize head) and how its validation figures read.
#include "train/task_setup.hpp"

#include <cmath>
#include <cstdio>

#include "aekit/error.hpp"

namespace aekit {

tasks::ColorizeHead training::colorizeHead(const TrainOptions& o) {
    tasks::ColorizeHead head;
    if (o.task != Task::Colorize) return head;
    head.classify = o.colorize == ColorizeMode::Classify;
    if (head.classify) head.bins = tasks::AbBins::inGamut(10);
    return head;
}

Architecture taskArchitecture(const TrainOptions& o) {
    Architecture a = o.arch;
    if (o.task != Task::Denoise && o.residual.value_or(false)) fail(ErrorKind::InvalidArgument, "--residual is for denoise");
    a.skips = o.skips.value_or(o.task != Task::Reconstruct);
    a.residual = o.residual.value_or(o.task == Task::Denoise);
    if (o.task == Task::Colorize) {
        a.inChannels = 1;
        a.outChannels = training::colorizeHead(o).outputChannels();
        a.residual = false;
        a.colorSpace = "lab";
    } else {
        a.inChannels = a.outChannels = o.gray ? 1 : 3;
        a.colorSpace = o.gray ? "gray" : "rgb";
    }
    a.outputActivation = Activation::None;
    if (o.loss == LossKind::BCE) {
        if (o.task == Task::Colorize) fail(ErrorKind::InvalidArgument, "--loss bce needs targets in [0,1]; colorize predicts ab");
        a.outputActivation = Activation::Sigmoid;
        a.residual = false;
    }
    a.codeActivation = o.sparsity.kind == Sparsity::Kind::KL ? Activation::Sigmoid : a.activation;
    a.validate();
    return a;
}

std::string describeValidation(Task task, const TrainProgress& p) {
    char buf[160];
    if (task == Task::Colorize)
        std::snprintf(buf, sizeof buf, "val PSNR %.2f dB (gray %.2f), colourfulness %.0f%% of truth", p.valPsnr,
                      p.valInputPsnr, 100 * p.colourfulness);
    else
        std::snprintf(buf, sizeof buf, "val PSNR %.2f dB (input %.2f)", p.valPsnr, p.valInputPsnr);
    return buf;
}

// Pixels of one step's batch (batch x patch^2): beyond it the network's buffers alone pass hundreds of GB.
constexpr int64_t kMaxPixelsPerStep = int64_t(1) << 26;

void training::checkOptions(const TrainOptions& o) {
    if (o.out.empty()) fail(ErrorKind::InvalidArgument, "--out: name the model file to write");
    if (o.steps <= 0 || o.batch <= 0 || o.patch <= 0)
        fail(ErrorKind::InvalidArgument, "--steps, --batch and --patch must be positive");
    if (o.valEvery <= 0 || o.valImages <= 0 || o.valCrop <= 0)
        fail(ErrorKind::InvalidArgument, "--val-every and --val-images must be positive");
    if (!(o.lr > 0) || !(o.checkpointMinutes > 0)) fail(ErrorKind::InvalidArgument, "--lr and --checkpoint-minutes must be positive");
    if (!(o.rebalance > 0 && o.rebalance <= 1)) fail(ErrorKind::InvalidArgument, "--rebalance must be in (0, 1]");
    // Every number in range before any work: a typo must not end in a oneDNN error or a wrapped value.
    auto refuse = [](bool bad, const std::string& what) {
        if (bad) fail(ErrorKind::InvalidArgument, what);
    };
    // One patch alone within the limit first, so that the product below cannot overflow.
    refuse(int64_t(o.patch) * o.patch > kMaxPixelsPerStep,
           "--patch " + std::to_string(o.patch) + " is over the largest patch, " + std::to_string(int(std::sqrt(double(kMaxPixelsPerStep)))) + " px");
    refuse(int64_t(o.batch) * o.patch * o.patch > kMaxPixelsPerStep,
           "--batch x --patch^2 is " + std::to_string(int64_t(o.batch) * o.patch * o.patch) + " pixels per step, over the limit of " +
               std::to_string(kMaxPixelsPerStep) + "; lower --batch or --patch");
    refuse(!(o.zoom >= 1 && o.zoom <= 8), "--zoom must be a factor from 1 (off) to 8");
    refuse(o.resizeShort < 0 || o.resizeShort > 16384 || (o.resizeShort > 0 && o.resizeShort < o.patch),
           "--resize-short must be 0 (off) or from --patch (" + std::to_string(o.patch) + ") to 16384");
    refuse(o.resizeLong < 0 || o.resizeLong > 16384 || (o.resizeLong > 0 && o.resizeLong < o.patch),
           "--resize-long must be 0 (off) or from --patch (" + std::to_string(o.patch) + ") to 16384");
    refuse(o.resizeLong > 0 && o.resizeShort > 0, "--resize-long and --resize-short do not combine (choose one)");
    refuse(o.resizeShort > 0 && o.zoom > 1, "--resize-short and --zoom do not combine (choose one)");
    refuse(!(o.grayShare >= 0 && o.grayShare <= 1), "--gray-share must be a share from 0 to 1");
    refuse(o.grayShare > 0 && (o.task != Task::Denoise || o.gray), "--gray-share is for colour denoisers (without --gray)");
    refuse(!std::isfinite(o.lr) || o.lr > 10, "--lr must be a finite number in (0, 10]");
    refuse(!(o.minLr >= 0 && o.minLr <= 10), "--min-lr must be a finite number in [0, 10]");
    refuse(o.warmup < -1, "--warmup must be -1 (automatic) or 0 and more");
    refuse(!(o.weightDecay >= 0 && o.weightDecay < 1), "--weight-decay must be in [0, 1)");
    refuse(!(o.clip >= 0 && std::isfinite(o.clip)), "--clip must be 0 (off) or a positive number");
    refuse(o.loaderThreads < 1 || o.loaderThreads > 64, "--loader-threads must be 1 to 64");
    refuse(o.threads < 0 || o.threads > 1024, "--threads must be 0 (all cores) to 1024");
    refuse(!(o.checkpointMinutes <= 1e6), "--checkpoint-minutes is too large");
    refuse(o.cacheMegabytes > (1ull << 30), "--cache-mb is too large (a negative number?)");
    refuse(o.valImages > 100000, "--val-images must be at most 100000");
    if (o.task == Task::Colorize && !o.target.empty())
        fail(ErrorKind::InvalidArgument, "--target is for denoise and reconstruct");
}

}  // namespace aekit
