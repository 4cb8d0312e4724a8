// SPDX-License-Identifier: Apache-2.0
// Checkpoints and model files of a training run (see train/checkpoint.hpp).
#include "train/checkpoint.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>

#include "aekit/inference.hpp"
#include "aekit/error.hpp"
#include "infer/context_radius.hpp"

namespace aekit {

void checkCheckpointRecord(const std::string& text, const std::string& path, bool classify) {
    auto bad = [&](const std::string& why) { fail(ErrorKind::BadFile, path + ": aekit.checkpoint: " + why); };
    nlohmann::json ck;
    try {
        ck = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        bad(std::string("not JSON (") + e.what() + ")");
    }
    if (!ck.is_object()) bad("not a JSON object");
    auto integer = [&](const char* key, int64_t lo, int64_t hi, bool required) {
        if (!ck.contains(key)) {
            if (required) bad(std::string("no '") + key + "'");
            return;
        }
        const auto& v = ck.at(key);
        if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
            bad(std::string("'") + key + "' is " + v.dump() + ", not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    };
    integer("step", 0, int64_t(1) << 40, true);
    integer("steps", 1, int64_t(1) << 40, false);
    integer("batch", 1, 1 << 16, true);
    integer("patch", 1, 8192, true);
    integer("resize_short", 0, 16384, false);
    integer("resize_long", 0, 16384, false);
    if (!ck.contains("seed") || !ck.at("seed").is_number_unsigned()) bad("'seed' is not a whole number from 0");
    for (const char* key : {"zoom", "gray_share", "lr", "seconds"})
        if (ck.contains(key) && !(ck.at(key).is_number() && std::isfinite(ck.at(key).get<double>()))) bad(std::string("'") + key + "' is not a number");
    if (!ck.contains("noise") || !ck.at("noise").is_string()) bad("'noise' is not text");
    for (const char* key : {"schedule", "optimizer", "loss"})
        if (ck.contains(key) && !ck.at(key).is_string()) bad(std::string("'") + key + "' is not text");
    if (ck.contains("soft_labels") && !ck.at("soft_labels").is_boolean()) bad("'soft_labels' is not true or false");
    if (classify) {
        if (!ck.contains("class_weights") || !ck.at("class_weights").is_array()) bad("no class weights");
        for (const auto& w : ck.at("class_weights"))
            if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() <= 0) bad("a class weight is not a positive number");
    }
}

}  // namespace aekit

namespace aekit::training {

namespace fs = std::filesystem;

namespace {

std::string isoDate() {
    std::time_t now = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buf;
}

}  // namespace

Metadata modelMetadata(const TrainOptions& o, const tasks::ColorizeHead& head) {
    Metadata m;
    m["aekit.format"] = std::to_string(kModelFormatVersion);
    m["aekit.task"] = toString(o.task);
    m["aekit.arch"] = o.arch.toJson();
    if (o.task == Task::Colorize) head.toMetadata(m);
    return m;
}

void saveCheckpoint(const TrainOptions& o, const tasks::ColorizeHead& head, const std::vector<float>& classWeights,
                    const Network& net, const Optimizer& opt, int64_t step, double seconds) {
    SafetensorsContent c;
    c.metadata = modelMetadata(o, head);
    c.tensors = net.weights();
    for (auto& [k, v] : opt.state()) c.tensors.emplace(k, v);
    nlohmann::json ck{{"step", step},       {"seed", o.seed},   {"batch", o.batch}, {"patch", o.patch},
                      {"zoom", o.zoom},     {"resize_short", o.resizeShort}, {"resize_long", o.resizeLong}, {"soft_labels", o.softLabels}, {"gray_share", o.grayShare}, {"noise", o.noise},  {"task", toString(o.task)}, {"steps", o.steps},
                      {"seconds", seconds}, {"class_weights", classWeights},
                      // what `train --resume` takes from the checkpoint when not given again
                      {"lr", o.lr}, {"min_lr", o.minLr}, {"warmup", o.warmup}, {"schedule", o.schedule},
                      {"optimizer", o.optimizer}, {"weight_decay", o.weightDecay}, {"clip", o.clip},
                      {"loss", toString(o.loss)}};
    c.metadata["aekit.checkpoint"] = ck.dump();
    writeSafetensors(o.out + ".ckpt", c);
}

Resumed resume(const TrainOptions& o, Network& net, Optimizer& opt, bool classify) {
    const std::string path = o.out + ".ckpt";
    if (!fs::exists(path)) fail(ErrorKind::InvalidArgument, "--resume: no checkpoint " + path);
    SafetensorsContent c = readSafetensors(path);
    auto meta = [&](const std::string& k) {
        auto it = c.metadata.find(k);
        if (it == c.metadata.end()) fail(ErrorKind::BadFile, path + ": not an aekit checkpoint (no " + k + ")");
        return it->second;
    };
    if (meta("aekit.task") != toString(o.task))
        fail(ErrorKind::InvalidArgument, path + ": checkpoint is for task " + meta("aekit.task") + ", not " + toString(o.task));
    const Architecture saved = Architecture::fromJson(meta("aekit.arch"));
    if (saved.toJson() != o.arch.toJson()) {
        const auto a = nlohmann::json::parse(saved.toJson()), b = nlohmann::json::parse(o.arch.toJson());
        std::string differs;
        for (auto it = a.begin(); it != a.end(); ++it)
            if (!b.contains(it.key()) || b.at(it.key()) != it.value())
                differs += (differs.empty() ? "" : ", ") + it.key() + " " + it.value().dump() + " (the options: " +
                           (b.contains(it.key()) ? b.at(it.key()).dump() : "none") + ")";
        fail(ErrorKind::InvalidArgument, path + ": the checkpoint's architecture differs from the options in " + differs +
                                             " (leave the architecture options out to take the checkpoint's, or choose a new --out)");
    }
    checkCheckpointRecord(meta("aekit.checkpoint"), path, classify);
    const auto ck = nlohmann::json::parse(meta("aekit.checkpoint"));
    if (ck.at("step").get<int64_t>() > o.steps)
        fail(ErrorKind::InvalidArgument, path + ": the checkpoint is at step " + std::to_string(ck.at("step").get<int64_t>()) +
                                             ", past --steps " + std::to_string(o.steps) + " (give a larger --steps to go on)");
    // Weights and optimiser state finite: NaN would train to "done" and write a model aekit refuses.
    for (const auto& [name, t] : c.tensors)
        for (float v : t.data)
            if (!std::isfinite(v)) fail(ErrorKind::BadFile, path + ": tensor '" + name + "' holds NaN or Inf; the checkpoint cannot be resumed");
    for (const char* k : {"seed", "batch", "patch"}) {
        const auto want = k == std::string("seed") ? nlohmann::json(o.seed)
                                                   : nlohmann::json(k == std::string("batch") ? o.batch : o.patch);
        if (ck.at(k) != want)
            fail(ErrorKind::InvalidArgument, path + ": checkpoint has --" + std::string(k) + " " + ck.at(k).dump() +
                                                 ", the options " + want.dump() + " (an exact resume needs the same)");
    }
    if (ck.value("zoom", 1.0) != o.zoom)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --zoom " + nlohmann::json(ck.value("zoom", 1.0)).dump() +
                                             ", the options " + nlohmann::json(o.zoom).dump());
    if (ck.value("resize_short", 0) != o.resizeShort)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --resize-short " +
                                             std::to_string(ck.value("resize_short", 0)) + ", the options " +
                                             std::to_string(o.resizeShort));
    if (ck.value("resize_long", 0) != o.resizeLong)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --resize-long " +
                                             std::to_string(ck.value("resize_long", 0)) + ", the options " +
                                             std::to_string(o.resizeLong));
    if (ck.value("soft_labels", false) != o.softLabels)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --colour-labels " + (ck.value("soft_labels", false) ? "bilinear" : "nearest") +
                                             ", the options " + (o.softLabels ? "bilinear" : "nearest"));
    if (ck.value("gray_share", 0.0) != o.grayShare)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --gray-share " + nlohmann::json(ck.value("gray_share", 0.0)).dump() +
                                             ", the options " + nlohmann::json(o.grayShare).dump());
    if (ck.at("noise").get<std::string>() != o.noise)
        fail(ErrorKind::InvalidArgument, path + ": checkpoint has --noise " + ck.at("noise").get<std::string>() +
                                             ", the options " + o.noise);
    net.setWeights(c.tensors);
    Resumed r;
    r.step = ck.at("step").get<int64_t>();
    opt.setState(c.tensors, r.step);
    r.seconds = ck.value("seconds", 0.0);
    if (classify) r.classWeights = ck.at("class_weights").get<std::vector<float>>();
    return r;
}

void saveModel(const TrainOptions& o, const tasks::ColorizeHead& head, const Network& net, int64_t step,
               const Provenance& p, double seconds, bool measureContext) {
    Model m;
    m.task = o.task;
    m.arch = o.arch;
    m.weights = net.weights();
    m.metadata = modelMetadata(o, head);
    nlohmann::json t{{"data", o.data},
                     {"target", o.target},
                     {"val", o.val},
                     {"train_images", p.trainImages},
                     {"val_images", p.valImages},
                     {"val_files", p.valFiles},
                     {"noise", o.noise},
                     {"steps", step},
                     {"batch", o.batch},
                     {"patch", o.patch},
                     {"zoom", o.zoom},
                     {"resize_short", o.resizeShort},
                     {"resize_long", o.resizeLong},
                     {"gray_share", o.grayShare},
                     {"lr", o.lr},
                     {"loss", toString(o.loss)},
                     {"sparsity", o.sparsity.toString()},
                     {"seed", o.seed},
                     {"precision", toString(o.precision)},
                     {"init", o.init},
                     {"date", isoDate()},
                     {"seconds", std::lround(seconds)},
                     {"validation", p.validation},
                     {"val_psnr", p.valPsnr}};
    if (o.task == Task::Colorize) t["colorize"] = head.classify ? "classify" : "regress";
    if (head.classify) t["rebalance"] = o.rebalance;
    if (head.classify) t["labels"] = o.softLabels ? "bilinear" : "nearest";
    m.metadata["aekit.training"] = t.dump();
    if (measureContext && o.task != Task::Colorize) {  // what tiled inference will overlap by
        // Measured on probes a few receptive fields wide: for a deep, wide network (7 levels of 32
        // channels: 3.4 GB, 3 minutes) it is left unrecorded, and inference keeps the field's half.
        constexpr uint64_t kMostProbeBytes = uint64_t(1) << 30;
        Network probe(o.arch, Mode::Inference, o.precision);
        probe.setWeights(m.weights);
        if (infer::contextProbeBytes(probe) <= kMostProbeBytes)
            m.metadata["aekit.context"] = contextMetadata(infer::measureContextRadius(probe, infer::kContextTolerance));
    }
    m.save(o.out);
}

}  // namespace aekit::training
