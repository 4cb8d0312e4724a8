// SPDX-License-Identifier: Apache-2.0
// The training loop (see aekit/trainer.hpp): checks, data, network, optimiser, validation,
// reports and checkpoints. Every random choice derives from (seed, step), so resume is exact.
#include "aekit/trainer.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <random>

#include "aekit/batch.hpp"
#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/metrics.hpp"
#include "aekit/network.hpp"
#include "aekit/noise.hpp"
#include "aekit/optimizer.hpp"
#include "tasks/codec.hpp"
#include "train/dataset.hpp"
#include "train/init_weights.hpp"
#include "train/report.hpp"

namespace aekit {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kClipShare = 0.25;  // share of denoise inputs clipped and rounded to 8 bits, as real photos are

struct Files {
    std::vector<std::string> train, trainTargets, val, valTargets;
};

// image path -> relative path, for every image under the folders.
std::vector<std::pair<std::string, std::string>> imagesWithKeys(const std::vector<std::string>& folders,
                                                                const char* option) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) fail(ErrorKind::InvalidArgument, std::string(option) + " " + folder + ": no such folder");
        const auto before = out.size();
        for (const auto& p : listImages({folder})) out.emplace_back(p, relativePath(p, folder));
        if (out.size() == before)
            fail(ErrorKind::InvalidArgument, std::string(option) + " " + folder + ": no images in this folder (png, jpg, tif, bmp, webp)");
    }
    return out;
}

Files gatherFiles(const TrainOptions& o) {
    if (o.data.empty()) fail(ErrorKind::InvalidArgument, "--data: give at least one folder of training images");
    Files f;
    const auto data = imagesWithKeys(o.data, "--data");
    std::vector<std::string> paths, targets;
    if (!o.target.empty()) {
        std::map<std::string, std::string> byKey;
        for (const auto& [p, key] : imagesWithKeys(o.target, "--target")) byKey.emplace(key, p);
        for (const auto& [p, key] : data) {
            auto it = byKey.find(key);
            if (it == byKey.end())
                fail(ErrorKind::InvalidArgument, p + ": no image '" + key + "' in --target (pairs are matched by relative path)");
            paths.push_back(p);
            targets.push_back(it->second);
        }
    } else {
        for (const auto& [p, key] : data) paths.push_back(p);
    }
    if (!o.val.empty()) {
        if (!o.target.empty()) fail(ErrorKind::InvalidArgument, "--val with --target is not supported: validation pairs are split off --data");
        for (const auto& [p, key] : imagesWithKeys(o.val, "--val")) f.val.push_back(p);
        f.train = paths;
        f.trainTargets = targets;
        return f;
    }
    if (paths.size() < 2) fail(ErrorKind::InvalidArgument, "--data: need at least 2 images to split off validation (or give --val)");
    std::vector<size_t> order(paths.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::mt19937_64 rng(itemSeed(o.seed, "validation split"));
    std::shuffle(order.begin(), order.end(), rng);
    // At least valFraction of the images or 2, whichever is more (one image is no validation), at most
    // --val-images, and always one left to train on.
    const size_t share = std::max<size_t>(size_t(std::lround(double(paths.size()) * o.valFraction)), 2);
    const size_t nVal = std::clamp<size_t>(share, 1, std::min<size_t>(size_t(std::max(1, o.valImages)), paths.size() - 1));
    for (size_t k = 0; k < order.size(); ++k) {
        const size_t i = order[k];
        auto& p = k < nVal ? f.val : f.train;
        auto& t = k < nVal ? f.valTargets : f.trainTargets;
        p.push_back(paths[i]);
        if (!targets.empty()) t.push_back(targets[i]);
    }
    return f;
}

// A P x P crop at (x, y) under one of the 8 flips/rotations (t: bit 0 mirror x, bit 1 mirror y, bit 2 transpose).
Image cropTransformed(const Image& im, int x, int y, int P, int t) {
    Image out = Image::blank(P, P, im.channels, im.bitDepth);
    for (int c = 0; c < im.channels; ++c) {
        const float* src = im.plane(c);
        float* dst = out.plane(c);
        for (int i = 0; i < P; ++i)
            for (int j = 0; j < P; ++j) {
                int u = j, v = i;
                if (t & 4) std::swap(u, v);
                if (t & 1) u = P - 1 - u;
                if (t & 2) v = P - 1 - v;
                dst[i * P + j] = src[int64_t(y + v) * im.width + (x + u)];
            }
    }
    return out;
}

void clipTo8Bit(Image& im) {
    for (float& v : im.pixels) v = std::round(std::clamp(v, 0.f, 1.f) * 255.f) / 255.f;
}

std::string isoDate() {
    std::time_t now = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buf;
}

std::string duration(double s) {
    char buf[32];
    const long t = std::lround(std::max(0.0, s));
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    return buf;
}

// One input/target pair made from a training or validation image, as the task wants it.
struct Example {
    Image input;   // model input planes
    Image target;  // denoise/reconstruct: clean; colorize: RGB truth (for metrics and labels)
    Image shown;   // input as a viewable image
};

class ExampleMaker {
public:
    ExampleMaker(const TrainOptions& o, const NoiseSpec& noise) : o_(o), noise_(noise) {}

    // clean: the (cropped) clean image; degraded: the paired degraded crop, or null.
    Example make(const Image& clean, const Image* degraded, std::mt19937_64& rng) const {
        Example e;
        if (o_.task == Task::Colorize) {
            e.target = tasks::withChannels(clean, 3);
            e.input = tasks::modelInput(Task::Colorize, o_.arch, e.target);
            e.shown = toGray(e.target);
            return e;
        }
        const int C = o_.arch.inChannels;
        e.target = tasks::withChannels(clean, C);
        e.input = degraded ? tasks::withChannels(*degraded, C) : e.target;
        if (!degraded && !noise_.empty()) {
            applyNoise(noise_, e.input, rng());
            if (std::uniform_real_distribution<double>(0, 1)(rng) < kClipShare) clipTo8Bit(e.input);
        }
        e.shown = e.input;
        return e;
    }

private:
    const TrainOptions& o_;
    const NoiseSpec& noise_;
};

// Validation examples: fixed centre crops with fixed corruption, made once.
struct ValData {
    int crop = 0;
    std::vector<Example> examples;
    double baseline = 0;  // PSNR of the input itself (denoise: noisy; colorize: gray)
};

class Trainer {
public:
    explicit Trainer(const TrainOptions& options) : o_(options) {}
    TrainResult run();

private:
    void configure();
    void loadData();
    void makeBatch(int64_t step, training::Batch& b) const;
    void prepareValidation();
    double validate(Network& inference, std::string& summary, bool preview);
    void saveCheckpoint(Network& net, Optimizer& opt, int64_t step, double seconds) const;
    int64_t resume(Network& net, Optimizer& opt);
    void saveModel(Network& net, int64_t step, const std::string& valSummary, double seconds) const;
    Metadata modelMetadata() const;
    void note(const std::string& s) const {
        if (o_.onNote) o_.onNote(s);
    }

    TrainOptions o_;
    tasks::ColorizeHead head_;
    NoiseSpec noise_;
    Files files_;
    std::unique_ptr<training::ImageSet> trainSet_, valSet_;
    std::vector<float> classWeights_;
    ValData val_;
    double priorSeconds_ = 0;  // wall time of earlier runs of this training (from the checkpoint)
    double lastVal_ = NAN;
    WeightMap initWeights_;  // from --init
    bool initDeepens_ = false;  // --init from the same network with fewer convolutions per level
};

// Pixels of one step's batch (batch x patch^2): beyond it the network's buffers alone pass hundreds of GB.
constexpr int64_t kMaxPixelsPerStep = int64_t(1) << 26;

void Trainer::configure() {
    auto& o = o_;
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
    refuse(int64_t(o.batch) * o.patch * o.patch > kMaxPixelsPerStep,
           "--batch x --patch^2 is " + std::to_string(int64_t(o.batch) * o.patch * o.patch) + " pixels per step, over the limit of " +
               std::to_string(kMaxPixelsPerStep) + "; lower --batch or --patch");
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
    Architecture& a = o.arch;
    if (o.task == Task::Colorize) {
        head_.classify = o.colorize == ColorizeMode::Classify;
        if (head_.classify) head_.bins = tasks::AbBins::inGamut(10);
        a.inChannels = 1;
        a.outChannels = head_.outputChannels();
        a.residual = false;
        a.colorSpace = "lab";
    } else {
        a.inChannels = a.outChannels = o.gray ? 1 : 3;
        a.colorSpace = o.gray ? "gray" : "rgb";
    }
    if (o.loss == LossKind::BCE) {
        if (o.task == Task::Colorize) fail(ErrorKind::InvalidArgument, "--loss bce needs targets in [0,1]; colorize predicts ab");
        a.outputActivation = Activation::Sigmoid;
        a.residual = false;
    }
    if (o.sparsity.kind == Sparsity::Kind::KL) a.codeActivation = Activation::Sigmoid;
    a.validate();
    if (o.patch % a.alignment())
        fail(ErrorKind::InvalidArgument, "--patch " + std::to_string(o.patch) + " must be a multiple of " +
                                             std::to_string(a.alignment()) + " (2^levels)");
    if (o.noise.empty() && o.task == Task::Denoise && o.target.empty()) o.noise = "gaussian:0-55";
    if (!o.noise.empty()) noise_ = NoiseSpec::parse(o.noise);
    if (o.warmup < 0) o.warmup = std::min<int64_t>(1000, o.steps / 50);
    if (!o.init.empty() && !o.resume) {
        Model start = Model::load(o.init);
        if (start.task != o.task)
            fail(ErrorKind::InvalidArgument, "--init " + o.init + ": a " + toString(start.task) + " model, not " +
                                                 toString(o.task));
        initDeepens_ = training::isDeeperVersion(start.arch, a);
        if (start.arch.toJson() != a.toJson() && !initDeepens_)
            fail(ErrorKind::InvalidArgument, "--init " + o.init + ": its architecture " + start.arch.toJson() +
                                                 " is not the one these options build, " + a.toJson() +
                                                 " (give the same architecture options, or a larger --convs)");
        initWeights_ = std::move(start.weights);
    }
}

void Trainer::loadData() {
    files_ = gatherFiles(o_);
    note("data: " + std::to_string(files_.train.size()) + " training images, " + std::to_string(files_.val.size()) +
         " validation images; decoding");
    const int decoders = std::max(2, threads());
    trainSet_ = std::make_unique<training::ImageSet>(files_.train, files_.trainTargets, o_.cacheMegabytes << 20,
                                                  o_.maxPixels, decoders);
    if (trainSet_->minSide() < o_.patch)
        fail(ErrorKind::InvalidArgument, trainSet_->smallest() + ": smaller (" + std::to_string(trainSet_->minSide()) +
                                             " px side) than --patch " + std::to_string(o_.patch));
    valSet_ = std::make_unique<training::ImageSet>(files_.val, files_.valTargets, ~0ull, o_.maxPixels, decoders);
    if (head_.classify) {
        // Class rebalancing from the training images' ab histogram (every 4th pixel of up to ~400 images).
        std::vector<double> counts(size_t(head_.bins.count()), 0.0);
        const size_t stride = std::max<size_t>(1, trainSet_->size() / 400);
        for (size_t i = 0; i < trainSet_->size(); i += stride) {
            const Image lab = rgbToLab(tasks::withChannels(*trainSet_->image(i), 3));
            for (int64_t p = 0; p < lab.planeSize(); p += 4)
                counts[size_t(head_.bins.nearest(lab.plane(1)[p], lab.plane(2)[p]))] += 1;
        }
        classWeights_ = head_.bins.rebalancingWeights(counts, o_.rebalance);
    }
}

void Trainer::makeBatch(int64_t step, training::Batch& b) const {
    std::mt19937_64 rng(itemSeed(o_.seed, "batch:" + std::to_string(step)));
    const int P = o_.patch;
    const int64_t plane = int64_t(P) * P;
    const ExampleMaker task(o_, noise_);
    b.input.resize(size_t(o_.batch * o_.arch.inChannels * plane));
    if (head_.classify)
        b.labels.resize(size_t(o_.batch * plane));
    else
        b.target.resize(size_t(o_.batch * o_.arch.outChannels * plane));
    for (int n = 0; n < o_.batch; ++n) {
        const size_t idx = size_t(rng() % trainSet_->size());
        const auto img = trainSet_->image(idx);
        const int x = int(rng() % uint64_t(img->width - P + 1)), y = int(rng() % uint64_t(img->height - P + 1));
        const int t = int(rng() % 8);
        Example e;
        if (trainSet_->paired()) {
            const Image clean = cropTransformed(*trainSet_->target(idx), x, y, P, t);
            const Image degraded = cropTransformed(*img, x, y, P, t);
            e = task.make(clean, &degraded, rng);
        } else {
            e = task.make(cropTransformed(*img, x, y, P, t), nullptr, rng);
        }
        std::copy(e.input.pixels.begin(), e.input.pixels.end(), b.input.begin() + n * o_.arch.inChannels * plane);
        if (o_.task == Task::Colorize) {
            const Image lab = rgbToLab(e.target);
            if (head_.classify) {
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

void Trainer::prepareValidation() {
    const int align = o_.arch.alignment();
    int side = o_.valCrop;
    for (size_t i = 0; i < valSet_->size(); ++i) {
        const auto im = valSet_->image(i);
        side = std::min({side, im->width, im->height});
    }
    side -= side % align;
    if (side < align) fail(ErrorKind::InvalidArgument, "validation images are smaller than " + std::to_string(align) + " px");
    val_.crop = side;
    const ExampleMaker task(o_, noise_);
    double base = 0;
    int based = 0;  // inputs with a finite PSNR (a noise spec with `none` leaves some clean)
    for (size_t i = 0; i < valSet_->size() && int(i) < o_.valImages; ++i) {
        std::mt19937_64 rng(itemSeed(o_.seed, "val:" + std::to_string(i)));
        const auto im = valSet_->image(i);
        const int x = (im->width - side) / 2, y = (im->height - side) / 2;
        Example e;
        if (valSet_->paired()) {
            const Image clean = cropTransformed(*valSet_->target(i), x, y, side, 0);
            const Image degraded = cropTransformed(*im, x, y, side, 0);
            e = task.make(clean, &degraded, rng);
        } else {
            e = task.make(cropTransformed(*im, x, y, side, 0), nullptr, rng);
        }
        double p;
        if (o_.task == Task::Colorize) {
            p = psnr(grayToRgb(toGray(e.target)), e.target);
        } else {
            Image clipped = e.input;
            for (float& v : clipped.pixels) v = std::clamp(v, 0.f, 1.f);
            p = psnr(clipped, e.target);
        }
        if (std::isfinite(p)) {
            base += p;
            ++based;
        }
        val_.examples.push_back(std::move(e));
    }
    val_.baseline = based > 0 ? base / based : INFINITY;
}

double Trainer::validate(Network& inference, std::string& summary, bool preview) {
    const int side = val_.crop, C = o_.arch.outChannels;
    const int64_t plane = int64_t(side) * side;
    double sum = 0, colourTruth = 0, colourOut = 0;
    std::vector<std::vector<Image>> rows;
    for (const auto& e : val_.examples) {
        std::copy(e.input.pixels.begin(), e.input.pixels.end(), inference.input());
        inference.forward();
        const float* out = inference.output();
        Image result;
        if (o_.task == Task::Colorize) {
            const Image ab = head_.decode(out, side, side);
            Image L = e.input;
            for (float& v : L.pixels) v *= tasks::kLScale;
            result = labToRgb(L, ab);
            colourTruth += colourfulness(e.target);
            colourOut += colourfulness(result);
        } else {
            result = Image::blank(side, side, C);
            for (int64_t i = 0; i < C * plane; ++i) result.pixels[size_t(i)] = std::clamp(out[i], 0.f, 1.f);
        }
        sum += psnr(result, e.target);
        if (preview && rows.size() < 4) rows.push_back({e.shown, result, e.target});
    }
    const double metric = sum / double(val_.examples.size());
    char buf[160];
    if (o_.task == Task::Colorize)
        std::snprintf(buf, sizeof buf, "val PSNR %.2f dB (gray %.2f), colourfulness %.0f%% of truth", metric, val_.baseline,
                      100 * colourOut / std::max(1e-9, colourTruth));
    else
        std::snprintf(buf, sizeof buf, "val PSNR %.2f dB (input %.2f)", metric, val_.baseline);
    summary = buf;
    if (preview) {
        for (auto& row : rows)
            for (auto& im : row)
                for (float& v : im.pixels) v = std::clamp(v, 0.f, 1.f);
        training::writePreview(o_.out + ".preview.png", rows);
    }
    return metric;
}

Metadata Trainer::modelMetadata() const {
    Metadata m;
    m["aekit.format"] = std::to_string(kModelFormatVersion);
    m["aekit.task"] = toString(o_.task);
    m["aekit.arch"] = o_.arch.toJson();
    if (o_.task == Task::Colorize) head_.toMetadata(m);
    return m;
}

void Trainer::saveCheckpoint(Network& net, Optimizer& opt, int64_t step, double seconds) const {
    SafetensorsContent c;
    c.metadata = modelMetadata();
    c.tensors = net.weights();
    for (auto& [k, v] : opt.state()) c.tensors.emplace(k, v);
    nlohmann::json ck{{"step", step},       {"seed", o_.seed},   {"batch", o_.batch}, {"patch", o_.patch},
                      {"noise", o_.noise},  {"task", toString(o_.task)}, {"steps", o_.steps},
                      {"seconds", seconds}, {"class_weights", classWeights_},
                      // what `train --resume` takes from the checkpoint when not given again
                      {"lr", o_.lr}, {"min_lr", o_.minLr}, {"warmup", o_.warmup}, {"schedule", o_.schedule},
                      {"optimizer", o_.optimizer}, {"weight_decay", o_.weightDecay}, {"clip", o_.clip},
                      {"loss", toString(o_.loss)}};
    c.metadata["aekit.checkpoint"] = ck.dump();
    writeSafetensors(o_.out + ".ckpt", c);
}

int64_t Trainer::resume(Network& net, Optimizer& opt) {
    const std::string path = o_.out + ".ckpt";
    if (!fs::exists(path)) fail(ErrorKind::InvalidArgument, "--resume: no checkpoint " + path);
    SafetensorsContent c = readSafetensors(path);
    auto meta = [&](const std::string& k) {
        auto it = c.metadata.find(k);
        if (it == c.metadata.end()) fail(ErrorKind::BadFile, path + ": not an aekit checkpoint (no " + k + ")");
        return it->second;
    };
    if (meta("aekit.task") != toString(o_.task))
        fail(ErrorKind::InvalidArgument, path + ": checkpoint is for task " + meta("aekit.task") + ", not " + toString(o_.task));
    const Architecture saved = Architecture::fromJson(meta("aekit.arch"));
    if (saved.toJson() != o_.arch.toJson()) {
        const auto a = nlohmann::json::parse(saved.toJson()), b = nlohmann::json::parse(o_.arch.toJson());
        std::string differs;
        for (auto it = a.begin(); it != a.end(); ++it)
            if (!b.contains(it.key()) || b.at(it.key()) != it.value())
                differs += (differs.empty() ? "" : ", ") + it.key() + " " + it.value().dump() + " (the options: " +
                           (b.contains(it.key()) ? b.at(it.key()).dump() : "none") + ")";
        fail(ErrorKind::InvalidArgument, path + ": the checkpoint's architecture differs from the options in " + differs +
                                             " (leave the architecture options out to take the checkpoint's, or choose a new --out)");
    }
    const auto ck = nlohmann::json::parse(meta("aekit.checkpoint"));
    for (const char* k : {"seed", "batch", "patch"}) {
        const auto want = k == std::string("seed") ? nlohmann::json(o_.seed)
                                                   : nlohmann::json(k == std::string("batch") ? o_.batch : o_.patch);
        if (ck.at(k) != want)
            fail(ErrorKind::InvalidArgument, path + ": checkpoint has --" + std::string(k) + " " + ck.at(k).dump() +
                                                 ", the options " + want.dump() + " (an exact resume needs the same)");
    }
    if (ck.at("noise").get<std::string>() != o_.noise)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --noise " + ck.at("noise").get<std::string>() +
                                             ", the options " + o_.noise);
    net.setWeights(c.tensors);
    const int64_t step = ck.at("step").get<int64_t>();
    opt.setState(c.tensors, step);
    priorSeconds_ = ck.value("seconds", 0.0);
    if (head_.classify) classWeights_ = ck.at("class_weights").get<std::vector<float>>();
    return step;
}

void Trainer::saveModel(Network& net, int64_t step, const std::string& valSummary, double seconds) const {
    Model m;
    m.task = o_.task;
    m.arch = o_.arch;
    m.weights = net.weights();
    m.metadata = modelMetadata();
    nlohmann::json t{{"data", o_.data},
                     {"target", o_.target},
                     {"val", o_.val},
                     {"train_images", files_.train.size()},
                     {"val_images", val_.examples.size()},
                     {"val_files", files_.val},
                     {"noise", o_.noise},
                     {"steps", step},
                     {"batch", o_.batch},
                     {"patch", o_.patch},
                     {"lr", o_.lr},
                     {"loss", toString(o_.loss)},
                     {"sparsity", o_.sparsity.toString()},
                     {"seed", o_.seed},
                     {"precision", toString(o_.precision)},
                     {"init", o_.init},
                     {"date", isoDate()},
                     {"seconds", std::lround(seconds)},
                     {"validation", valSummary},
                     {"val_psnr", lastVal_}};
    if (o_.task == Task::Colorize) t["colorize"] = head_.classify ? "classify" : "regress";
    if (head_.classify) t["rebalance"] = o_.rebalance;
    m.metadata["aekit.training"] = t.dump();
    m.save(o_.out);
}

TrainResult Trainer::run() {
    configure();
    setThreads(o_.threads);
    loadData();
    prepareValidation();

    Network net(o_.arch, Mode::Training, o_.precision);
    net.initWeights(itemSeed(o_.seed, "weights"));
    if (!initWeights_.empty()) {
        net.setWeights(initDeepens_ ? training::deepenedWeights(initWeights_, net.weights()) : initWeights_);
        initWeights_ = {};  // the network holds them now
        note("weights from " + o_.init + (initDeepens_ ? " (deepened: the new convolutions start as identities)" : ""));
    }
    if (o_.sparsity.kind != Sparsity::Kind::None) net.requestCodeGradient();
    net.setShape(o_.batch, o_.patch, o_.patch);
    OptimizerConfig oc;
    oc.kind = OptimizerConfig::parseKind(o_.optimizer);
    oc.weightDecay = o_.weightDecay;
    auto params = net.params();
    Optimizer opt(oc, params);
    Schedule sched;
    sched.kind = Schedule::parseKind(o_.schedule);
    sched.baseLr = o_.lr;
    sched.minLr = std::min(o_.minLr, o_.lr);
    sched.warmupSteps = o_.warmup;
    sched.totalSteps = o_.steps;
    sched.stepEvery = std::max<int64_t>(1, o_.steps / 4);

    int64_t step = 0;
    if (o_.resume) {
        step = resume(net, opt);
        note("resumed " + o_.out + ".ckpt at step " + std::to_string(step));
    } else if (fs::exists(o_.out + ".csv")) {
        fs::remove(o_.out + ".csv");  // a fresh run starts a fresh log
    }
    Network inference(o_.arch, Mode::Inference, o_.precision);
    inference.setShape(1, val_.crop, val_.crop);

    TrainResult result;
    const int64_t firstStep = step;
    const int64_t plane = int64_t(o_.patch) * o_.patch;
    const int64_t outN = int64_t(o_.batch) * o_.arch.outChannels * plane;
    const auto code = net.codeShape();
    std::vector<float> codeGrad;
    training::Prefetcher prefetch([this](int64_t k, training::Batch& b) { makeBatch(k, b); }, std::max(1, o_.loaderThreads),
                               4, step);
    const auto start = Clock::now();
    auto lastCheckpoint = start, lastReport = start;
    double waited = 0, lossSum = 0;
    int64_t lossCount = 0, stepsSinceReport = 0;
    std::string valSummary;
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

    auto runValidation = [&](bool final) {
        inference.setWeights(net.weights());
        lastVal_ = validate(inference, valSummary, true);
        training::appendLog(o_.out + ".csv", {step, lossCount ? lossSum / double(lossCount) : NAN, sched.lrAt(step), 0, lastVal_,
                                           priorSeconds_ + elapsed()});
        training::writePlot(o_.out + ".csv", o_.out + ".plot.png", o_.task == Task::Colorize ? "PSNR (colour)" : "PSNR (dB)");
        if (o_.onProgress) o_.onProgress("step " + std::to_string(step) + "  " + valSummary, final);
        // The model file always holds the latest validated weights, so a long run is usable before it ends.
        if (!final) saveModel(net, step, valSummary, priorSeconds_ + elapsed());
    };

    while (step < o_.steps) {
        if ((o_.stop && o_.stop->load()) || (o_.stopAfter > 0 && step >= o_.stopAfter)) {
            result.interrupted = true;
            break;
        }
        const training::Batch* batch = nullptr;
        try {
            batch = &prefetch.get(step, &waited);
        } catch (const Error& e) {  // the data changed under the run: keep what was learnt, say what changed
            priorSeconds_ += elapsed();
            saveCheckpoint(net, opt, step, priorSeconds_);
            fail(e.kind(), std::string(e.what()) + "; stopped at step " + std::to_string(step) + ", checkpoint " + o_.out +
                               ".ckpt written (fix the data, then resume with --resume)");
        }
        const training::Batch& b = *batch;
        std::copy(b.input.begin(), b.input.end(), net.input());
        net.forward();
        double loss;
        if (head_.classify)
            loss = softmaxCrossEntropy(net.output(), b.labels.data(), classWeights_.data(), net.outputGradient(), o_.batch,
                                       o_.arch.outChannels, plane);
        else
            loss = lossAndGradient(o_.loss, net.output(), b.target.data(), net.outputGradient(), outN);
        if (o_.sparsity.kind != Sparsity::Kind::None)
            loss += sparsityPenalty(o_.sparsity, net.code(), net.codeGradient(), code[0], code[1], code[2] * code[3]);
        if (!std::isfinite(loss))
            fail(ErrorKind::Internal, "training diverged at step " + std::to_string(step) +
                                          " (loss is not finite); lower --lr or keep --clip on");
        net.backward();
        clipGradientNorm(params, o_.clip);
        opt.step(sched.lrAt(step));
        net.weightsChanged();
        ++step;
        lossSum += loss;
        ++lossCount;
        ++stepsSinceReport;
        result.lastLoss = loss;

        const auto now = Clock::now();
        if (now - lastReport >= std::chrono::seconds(1) || step == o_.steps) {
            const double dt = std::chrono::duration<double>(now - lastReport).count();
            const double rate = double(stepsSinceReport * o_.batch) / dt;
            const double stepsPerSec = double(step - firstStep) / std::max(1e-9, elapsed());
            char line[256];
            std::snprintf(line, sizeof line, "step %lld/%lld  loss %.5f  lr %.2e  %.1f patches/s  ETA %s  data wait %.1f%%",
                          (long long)step, (long long)o_.steps, lossSum / double(lossCount), sched.lrAt(step), rate,
                          duration(double(o_.steps - step) / std::max(1e-9, stepsPerSec)).c_str(),
                          100 * waited / std::max(1e-9, elapsed()));
            if (o_.onProgress) o_.onProgress(line, false);
            result.patchesPerSecond = rate;
            lastReport = now;
            stepsSinceReport = 0;
        }
        if (step % 50 == 0) {
            training::appendLog(o_.out + ".csv", {step, lossSum / double(lossCount), sched.lrAt(step),
                                               result.patchesPerSecond, NAN, priorSeconds_ + elapsed()});
            lossSum = 0;
            lossCount = 0;
        }
        if (step % o_.valEvery == 0 && step < o_.steps) runValidation(false);
        if (now - lastCheckpoint >= std::chrono::duration<double>(o_.checkpointMinutes * 60)) {
            saveCheckpoint(net, opt, step, priorSeconds_ + elapsed());
            lastCheckpoint = now;
        }
    }
    if (!result.interrupted) runValidation(true);  // logs priorSeconds_ + elapsed(): before they are added up
    const double runSeconds = elapsed();
    priorSeconds_ += runSeconds;
    saveCheckpoint(net, opt, step, priorSeconds_);
    if (!result.interrupted) saveModel(net, step, valSummary, priorSeconds_);
    result.step = step;
    result.valMetric = lastVal_;
    result.seconds = runSeconds;
    result.dataWaitShare = waited / std::max(1e-9, runSeconds);
    if (step > firstStep) result.patchesPerSecond = double((step - firstStep) * o_.batch) / std::max(1e-9, runSeconds);
    return result;
}

}  // namespace

TrainResult train(const TrainOptions& options) { return Trainer(options).run(); }

}  // namespace aekit
