// SPDX-License-Identifier: Apache-2.0
// The training loop (see aekit/trainer.hpp): checks, network, optimiser, steps, validation, logs
// and checkpoints. Every random choice derives from (seed, step, item), so resume is exact and a
// data-parallel job (train/gradient_sync) sees the same batches as one process. The data is
// train/training_data, validation train/validation, files on disk train/checkpoint.
#include "aekit/trainer.hpp"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "aekit/cluster.hpp"
#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/noise.hpp"
#include "aekit/optimizer.hpp"
#include "aekit/random.hpp"
#include "aekit/train_step.hpp"
#include "tasks/codec.hpp"
#include "train/checkpoint.hpp"
#include "train/dataset.hpp"
#include "train/gradient_sync.hpp"
#include "train/init_weights.hpp"
#include "train/report.hpp"
#include "train/task_setup.hpp"
#include "train/training_data.hpp"
#include "train/validation.hpp"

namespace aekit {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

int64_t threadCpuNanoseconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}

class Trainer {
public:
    explicit Trainer(const TrainOptions& options) : o_(options), cluster_(Cluster::job()) {}
    TrainResult run();

private:
    void configure();
    void loadData();
    void makeBatch(int64_t step, training::Batch& b) const;
    void shareState(Network& net, Optimizer& opt, int64_t& step, double& seconds);
    void note(const std::string& s) const {
        if (o_.onNote && cluster_.leader()) o_.onNote(s);
    }

    TrainOptions o_;
    const Cluster& cluster_;
    int localBatch_ = 0;  // this rank's share of each global batch of o_.batch patches
    tasks::ColorizeHead head_;
    NoiseSpec noise_;
    training::TrainingFiles files_;
    std::unique_ptr<training::ImageSet> trainSet_, valSet_;
    std::vector<float> classWeights_;
    WeightMap initWeights_;     // from --init
    bool initDeepens_ = false;  // --init from the same network with fewer convolutions per level
};

void Trainer::configure() {
    auto& o = o_;
    training::checkOptions(o);
    head_ = training::colorizeHead(o);
    o.arch = taskArchitecture(o);
    if (o.patch % o.arch.alignment())
        fail(ErrorKind::InvalidArgument, "--patch " + std::to_string(o.patch) + " must be a multiple of " +
                                             std::to_string(o.arch.alignment()) + " (2^levels)");
    if (o.noise.empty() && o.task == Task::Denoise && o.target.empty()) o.noise = "gaussian:0-55";
    if (!o.noise.empty()) noise_ = NoiseSpec::parse(o.noise);
    if (o.warmup < 0) o.warmup = std::min<int64_t>(1000, o.steps / 50);
    // The model's folder is made now, not when the first log line is due (a typo in --out would
    // otherwise end the run after its first steps).
    if (const fs::path dir = fs::path(o.out).parent_path(); cluster_.leader() && !dir.empty()) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) fail(ErrorKind::Io, "--out " + o.out + ": cannot create its folder " + dir.string() + ": " + ec.message());
    }
    if (o.batch % cluster_.size())
        fail(ErrorKind::InvalidArgument, "--batch " + std::to_string(o.batch) + " is the global batch: it must be a multiple of the " +
                                             std::to_string(cluster_.size()) + " ranks");
    localBatch_ = o.batch / cluster_.size();
    if (!o.init.empty() && !o.resume) {
        Model start = Model::load(o.init);
        if (start.task != o.task)
            fail(ErrorKind::InvalidArgument, "--init " + o.init + ": a " + toString(start.task) + " model, not " +
                                                 toString(o.task));
        initDeepens_ = training::isDeeperVersion(start.arch, o.arch);
        if (start.arch.toJson() != o.arch.toJson() && !initDeepens_)
            fail(ErrorKind::InvalidArgument, "--init " + o.init + ": its architecture " + start.arch.toJson() +
                                                 " is not the one these options build, " + o.arch.toJson() +
                                                 " (give the same architecture options, or a larger --convs)");
        initWeights_ = std::move(start.weights);
    }
}

void Trainer::loadData() {
    files_ = training::gatherFiles(o_);
    note("data: " + std::to_string(files_.train.size()) + " training images, " + std::to_string(files_.val.size()) +
         " validation images; decoding");
    const int decoders = std::max(2, threads());
    trainSet_ = std::make_unique<training::ImageSet>(files_.train, files_.trainTargets, o_.cacheMegabytes << 20,
                                                     o_.maxPixels, decoders, training::Resize{o_.resizeShort, o_.resizeLong});
    // A folder of photos may hold a few thumbnails: they are left out, with a note, unless none is left.
    if (trainSet_->minSide() < o_.patch) {
        const std::string smallest = trainSet_->smallest();
        const int side = trainSet_->minSide();
        const std::vector<std::string> out = trainSet_->leaveOutSmallerThan(o_.patch);
        if (trainSet_->size() == 0)
            fail(ErrorKind::InvalidArgument, smallest + ": smaller (" + std::to_string(side) + " px side) than --patch " +
                                                 std::to_string(o_.patch) + ", as every training image is");
        note("data: left out " + std::to_string(out.size()) + " training image" + (out.size() == 1 ? "" : "s") +
             " smaller than --patch " + std::to_string(o_.patch) + " on a side (" + out.front() +
             (out.size() > 1 ? ", ..." : "") + "); training on " + std::to_string(trainSet_->size()));
    }
    valSet_ = std::make_unique<training::ImageSet>(files_.val, files_.valTargets, ~0ull, o_.maxPixels, decoders,
                                                   training::Resize{o_.resizeShort, o_.resizeLong});
    if (head_.classify) classWeights_ = training::colourClassWeights(*trainSet_, head_.bins, o_.rebalance);
    head_.classWeights = classWeights_;  // written into the model, for decoding at any vividness
}

// This rank's items of global batch `step`: items rank * localBatch_ onwards, each drawn from its
// own generator, so the global batch does not depend on the number of ranks.
void Trainer::makeBatch(int64_t step, training::Batch& b) const {
    const int P = o_.patch;
    const int64_t plane = int64_t(P) * P;
    const training::ExampleMaker task(o_, noise_);
    b.input.resize(size_t(localBatch_ * o_.arch.inChannels * plane));
    const int K = o_.softLabels ? 4 : 1;
    if (head_.classify) {
        b.labels.resize(size_t(localBatch_ * K * plane));
        if (o_.softLabels) b.labelShares.resize(b.labels.size());
    } else
        b.target.resize(size_t(localBatch_ * o_.arch.outChannels * plane));
    for (int n = 0; n < localBatch_; ++n) {
        const int item = cluster_.rank() * localBatch_ + n;
        Random rng(itemSeed(o_.seed, "batch:" + std::to_string(step) + ":" + std::to_string(item)));
        const size_t idx = size_t(rng.below(trainSet_->size()));
        const auto img = trainSet_->image(idx);
        // The source region's side: P; with --resize-short S, from P to S (the scene, shrunk to P);
        // with --zoom, for half the patches, P / z enlarged to P.
        int side = P;
        if (o_.resizeShort > 0) {
            const int most = std::min({o_.resizeShort, img->width, img->height});
            side = P + int(rng.below(uint64_t(most - P + 1)));
        } else if (o_.zoom > 1 && rng.uniform() < 0.5) {
            const double z = rng.uniform(1, o_.zoom);
            side = std::max(1, int(std::lround(P / z)));
        }
        const int x = int(rng.below(uint64_t(img->width - side + 1))), y = int(rng.below(uint64_t(img->height - side + 1)));
        const int t = int(rng.below(8));
        auto cut = [&](const Image& from) {
            Image c = training::cropTransformed(from, x, y, side, t);
            return side == P ? c : resizeImage(c, P, P);
        };
        training::Example e;
        if (trainSet_->paired()) {
            const Image clean = cut(*trainSet_->target(idx));
            const Image degraded = cut(*img);
            e = task.make(clean, &degraded, rng);
        } else {
            e = task.make(cut(*img), nullptr, rng);
        }
        std::copy(e.input.pixels.begin(), e.input.pixels.end(), b.input.begin() + n * o_.arch.inChannels * plane);
        if (o_.task == Task::Colorize) {
            const Image lab = rgbToLab(e.target);
            if (head_.classify && o_.softLabels) {
                int32_t bins[4];
                float shares[4];
                for (int64_t i = 0; i < plane; ++i) {
                    head_.bins.bilinear(lab.plane(1)[i], lab.plane(2)[i], bins, shares);
                    for (int k = 0; k < 4; ++k) {
                        b.labels[size_t((n * 4 + k) * plane + i)] = bins[k];
                        b.labelShares[size_t((n * 4 + k) * plane + i)] = shares[k];
                    }
                }
            } else if (head_.classify) {
                for (int64_t i = 0; i < plane; ++i)
                    b.labels[size_t(n * plane + i)] = head_.bins.nearest(lab.plane(1)[i], lab.plane(2)[i]);
            } else {
                for (int64_t i = 0; i < 2 * plane; ++i)
                    b.target[size_t(n * 2 * plane + i)] = lab.pixels[size_t(plane + i)] / tasks::kAbScale;
            }
        } else {
            std::copy(e.target.pixels.begin(), e.target.pixels.end(), b.target.begin() + n * o_.arch.outChannels * plane);
        }
    }
}

// Data-parallel: every rank starts from the leader's weights, optimiser state, step and class
// weights (only the leader reads --init and checkpoints, so ranks need no shared file system).
void Trainer::shareState(Network& net, Optimizer& opt, int64_t& step, double& seconds) {
    if (!cluster_.distributed()) return;
    for (auto& p : opt.params()) cluster_.broadcast(p.value, size_t(p.size));
    net.weightsChanged();
    WeightMap state = opt.state();
    for (auto& [name, t] : state) cluster_.broadcast(t.data.data(), t.data.size());
    int64_t s = cluster_.leader() ? step : 0;
    double sec = cluster_.leader() ? seconds : 0;
    cluster_.sum(&s, 1);
    cluster_.sum(&sec, 1);
    step = s;
    seconds = sec;
    opt.setState(state, step);
    if (!classWeights_.empty()) cluster_.broadcast(classWeights_.data(), classWeights_.size());
    head_.classWeights = classWeights_;
}

TrainResult Trainer::run() {
    configure();
    setThreads(o_.threads, cluster_.localSize());
    loadData();
    const training::Validator validator(o_, head_, noise_, *valSet_);

    Network net(o_.arch, Mode::Training, o_.precision);
    net.initWeights(itemSeed(o_.seed, "weights"));
    if (!initWeights_.empty()) {
        net.setWeights(initDeepens_ ? training::deepenedWeights(o_.arch, initWeights_) : initWeights_);
        initWeights_ = {};  // the network holds them now
        note("weights from " + o_.init + (initDeepens_ ? " (deepened: the new convolutions start as identities)" : ""));
    }
    if (o_.sparsity.kind != Sparsity::Kind::None) net.requestCodeGradient();
    net.setShape(localBatch_, o_.patch, o_.patch);
    OptimizerConfig oc;
    oc.kind = OptimizerConfig::parseKind(o_.optimizer);
    oc.weightDecay = o_.weightDecay;
    Optimizer opt(oc, net);
    Schedule sched;
    sched.kind = Schedule::parseKind(o_.schedule);
    sched.baseLr = o_.lr;
    sched.minLr = std::min(o_.minLr, o_.lr);
    sched.warmupSteps = o_.warmup;
    sched.totalSteps = o_.steps;
    sched.stepEvery = std::max<int64_t>(1, o_.steps / 4);
    Objective objective;
    objective.loss = o_.loss;
    objective.sparsity = o_.sparsity;
    if (head_.classify) objective.classWeights = classWeights_.data();

    int64_t step = 0;
    double priorSeconds = 0;  // wall time of earlier runs of this training (from the checkpoint)
    if (o_.resume && cluster_.leader()) {
        training::Resumed r = training::resume(o_, net, opt, head_.classify);
        step = r.step;
        priorSeconds = r.seconds;
        if (head_.classify) {
            classWeights_ = std::move(r.classWeights);
            head_.classWeights = classWeights_;
            objective.classWeights = classWeights_.data();
        }
        note("resumed " + o_.out + ".ckpt at step " + std::to_string(step));
    } else if (!o_.resume && cluster_.leader() && fs::exists(o_.out + ".csv")) {
        fs::remove(o_.out + ".csv");  // a fresh run starts a fresh log
    }
    shareState(net, opt, step, priorSeconds);
    training::GradientSync sync(cluster_, opt.params());
    bool stopVoted = false;  // a rank was interrupted: every rank stops after this step
    const GradientReduce reduce = [&](std::vector<ParamView>& grads, double& loss) {
        std::vector<double> scalars{loss, (o_.stop && o_.stop->load()) ? 1.0 : 0.0};
        sync.reduce(grads, scalars);
        loss = scalars[0];
        stopVoted = scalars[1] > 0;
    };
    Network inference(o_.arch, Mode::Inference, o_.precision);
    inference.setShape(1, validator.crop(), validator.crop());

    TrainResult result;
    const int64_t firstStep = step;
    // The loader's own cost: CPU time of its thread per batch (wall time would count the cores it
    // shares with the network).
    std::atomic<int64_t> loaderNanoseconds{0}, loaderBatches{0};
    training::Prefetcher prefetch(
        [this, &loaderNanoseconds, &loaderBatches](int64_t k, training::Batch& b) {
            const int64_t t0 = threadCpuNanoseconds();
            makeBatch(k, b);
            loaderNanoseconds += threadCpuNanoseconds() - t0;
            ++loaderBatches;
        },
        std::max(1, o_.loaderThreads), 4, step);
    const auto start = Clock::now();
    auto lastCheckpoint = start, lastReport = start;
    double waited = 0, lossSum = 0;
    int64_t lossCount = 0, stepsSinceReport = 0;
    TrainProgress progress;
    progress.steps = o_.steps;
    training::Provenance provenance{trainSet_->size(), validator.count(), files_.val, "", NAN};
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    auto checkpoint = [&] {
        if (cluster_.leader()) training::saveCheckpoint(o_, head_, classWeights_, net, opt, step, priorSeconds + elapsed());
    };

    auto runValidation = [&](bool final) {
        if (!cluster_.leader()) return;  // the others go on to the next step's allreduce and wait there
        inference.setWeights(net.weights());
        const training::ValidationFigures f = validator.run(inference, true);
        training::appendLog(o_.out + ".csv", {step, lossCount ? lossSum / double(lossCount) : NAN, sched.lrAt(step), 0, f.psnr,
                                              priorSeconds + elapsed()});
        training::writePlot(o_.out + ".csv", o_.out + ".plot.png", o_.task == Task::Colorize ? "PSNR (colour)" : "PSNR (dB)");
        progress.step = step;
        progress.validated = true;
        progress.valPsnr = f.psnr;
        progress.valInputPsnr = f.inputPsnr;
        progress.colourfulness = f.colourfulness;
        progress.final = final;
        provenance.validation = describeValidation(o_.task, progress);
        provenance.valPsnr = f.psnr;
        if (o_.onProgress) o_.onProgress(progress);
        progress.validated = false;
        // The model file always holds the latest validated weights, so a long run is usable before it ends.
        if (!final) training::saveModel(o_, head_, net, step, provenance, priorSeconds + elapsed());
    };

    while (step < o_.steps) {
        const bool stopHere = cluster_.distributed() ? stopVoted : (o_.stop && o_.stop->load());
        if (stopHere || (o_.stopAfter > 0 && step >= o_.stopAfter)) {
            result.interrupted = true;
            break;
        }
        const training::Batch* batch = nullptr;
        try {
            batch = &prefetch.get(step, &waited);
        } catch (const Error& e) {  // the data changed under the run: keep what was learnt, say what changed
            checkpoint();
            fail(e.kind(), std::string(e.what()) + "; stopped at step " + std::to_string(step) + ", checkpoint " + o_.out +
                               ".ckpt written (fix the data, then resume with --resume)");
        }
        const StepData data{batch->input.data(), batch->target.data(), batch->labels.data(),
                            batch->labelShares.empty() ? nullptr : batch->labelShares.data(), o_.softLabels ? 4 : 1};
        const double loss = trainStep(net, opt, objective, data,
                                      sched.lrAt(step), o_.clip, cluster_.distributed() ? reduce : GradientReduce{})
                                .loss;
        ++step;
        if (o_.rankExitAt > 0 && step == o_.rankExitAt && cluster_.distributed() && cluster_.rank() == cluster_.size() - 1)
            std::_Exit(86);
        lossSum += loss;
        ++lossCount;
        ++stepsSinceReport;
        result.lastLoss = loss;

        const auto now = Clock::now();
        if (now - lastReport >= std::chrono::seconds(1) || step == o_.steps) {
            const double dt = std::chrono::duration<double>(now - lastReport).count();
            const double stepsPerSec = double(step - firstStep) / std::max(1e-9, elapsed());
            progress.step = step;
            progress.loss = lossSum / double(lossCount);
            progress.lr = sched.lrAt(step);
            progress.patchesPerSecond = double(stepsSinceReport * o_.batch) / dt;
            progress.etaSeconds = double(o_.steps - step) / std::max(1e-9, stepsPerSec);
            progress.dataWaitShare = waited / std::max(1e-9, elapsed());
            if (o_.onProgress && cluster_.leader()) o_.onProgress(progress);
            result.patchesPerSecond = progress.patchesPerSecond;
            lastReport = now;
            stepsSinceReport = 0;
        }
        if (step % 50 == 0 && cluster_.leader()) {
            training::appendLog(o_.out + ".csv", {step, lossSum / double(lossCount), sched.lrAt(step), result.patchesPerSecond,
                                                  NAN, priorSeconds + elapsed()});
            lossSum = 0;
            lossCount = 0;
        }
        if (step % o_.valEvery == 0 && step < o_.steps) runValidation(false);
        if (now - lastCheckpoint >= std::chrono::duration<double>(o_.checkpointMinutes * 60)) {
            checkpoint();
            lastCheckpoint = now;
        }
    }
    if (!result.interrupted) runValidation(true);  // logs priorSeconds + elapsed(): before they are added up
    const double runSeconds = elapsed();
    priorSeconds += runSeconds;
    if (cluster_.leader()) {
        training::saveCheckpoint(o_, head_, classWeights_, net, opt, step, priorSeconds);
        if (!result.interrupted) training::saveModel(o_, head_, net, step, provenance, priorSeconds, true);
    }
    result.step = step;
    result.valMetric = provenance.valPsnr;
    result.seconds = runSeconds;
    result.dataWaitShare = waited / std::max(1e-9, runSeconds);
    result.loaderSecondsPerBatch = 1e-9 * double(loaderNanoseconds) / double(std::max<int64_t>(1, loaderBatches));
    if (step > firstStep) result.patchesPerSecond = double((step - firstStep) * o_.batch) / std::max(1e-9, runSeconds);
    result.ranks = cluster_.size();
    result.allreduceSeconds = sync.seconds();
    result.allreduceCalls = sync.calls();
    result.allreduceBytes = cluster_.distributed() ? sync.bytesPerStep() : 0;
    result.allreduceBuckets = int(sync.buckets());
    return result;
}

}  // namespace

TrainResult train(const TrainOptions& options) { return Trainer(options).run(); }

std::vector<float> colourClassWeights(const TrainOptions& o) {
    const training::TrainingFiles files = training::gatherFiles(o);
    const training::ImageSet images(files.train, {}, 0, o.maxPixels, std::max(2, o.threads), {o.resizeShort, o.resizeLong});
    return training::colourClassWeights(images, tasks::AbBins::inGamut(10), o.rebalance);
}

}  // namespace aekit
