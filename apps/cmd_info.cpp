// SPDX-License-Identifier: Apache-2.0
// aekit info MODEL: what a model file is (task, architecture, size, cost, context used, provenance).
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/model.hpp"
#include "aekit/trainer.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

// A colorizer over ab classes: its aekit.colorize settings; else null (the caller says why it needs one).
nlohmann::json classColorizer(const aekit::Model& m) {
    const auto c = m.metadata.find("aekit.colorize");
    if (m.task != aekit::Task::Colorize || c == m.metadata.end()) return nullptr;
    auto j = nlohmann::json::parse(c->second);
    return j.value("mode", "") == "classify" ? j : nlohmann::json(nullptr);
}

// Class weights recomputed from the data, seed and rebalancing named in the model's aekit.training.
void recordClassWeights(aekit::Model& m, const std::string& path) {
    auto fail = [&](const std::string& why) {
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--record-class-weights: " + path + ": " + why);
    };
    auto c = classColorizer(m);
    if (c.is_null()) fail("not a colorizer over ab classes");
    const auto training = m.metadata.find("aekit.training");
    if (training == m.metadata.end()) fail("no aekit.training metadata naming its data");
    const auto t = nlohmann::json::parse(training->second);
    aekit::TrainOptions o;
    o.task = aekit::Task::Colorize;
    o.data = t.at("data").get<std::vector<std::string>>();
    o.val = t.value("val", std::vector<std::string>{});
    o.seed = t.at("seed").get<uint64_t>();
    o.valImages = t.value("val_images", o.valImages);
    o.rebalance = t.value("rebalance", 0.5);  // files before it was recorded used the default
    o.resizeShort = t.value("resize_short", 0);
    const std::vector<float> weights = aekit::colourClassWeights(o);
    c["class_weights"] = weights;
    m.metadata["aekit.colorize"] = c.dump();
    m.save(path);
    std::printf("class weights: %zu, from %s; recorded in %s\n", weights.size(), nlohmann::json(o.data).dump().c_str(),
                path.c_str());
}

// The vividness a colorizer decodes at when the user gives none (aekit.colorize's "vividness").
// Checked before anything is printed: v in [0, 1] and a colorizer over ab classes.
void checkVividness(const aekit::Model& m, const std::string& path, double v) {
    if (!(v >= 0 && v <= 1)) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--set-vividness: from 0 (faithful) to 1 (vivid)");
    if (classColorizer(m).is_null())
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--set-vividness: " + path + ": not a colorizer over ab classes");
}
void setDefaultVividness(aekit::Model& m, const std::string& path, double v) {
    auto c = classColorizer(m);
    c["vividness"] = v;
    m.metadata["aekit.colorize"] = c.dump();
    m.save(path);
    std::printf("default vividness: %g; recorded in %s\n", v, path.c_str());
}

}  // namespace

int runInfo(int argc, char** argv) {
    cli::po::options_description opts("options");
    opts.add_options()("model", cli::po::value<std::string>()->required(), "model file (or shipped name)");
    opts.add_options()("layers", "also list every layer: name, kind, channels in and out, scale");
    opts.add_options()("record-context", "measure the context the network uses and record it in the model file (for models "
                                         "trained before aekit recorded it, so that later uses need not measure it)");
    opts.add_options()("record-class-weights",
                       "colorizer: recompute the class weights it was trained with from the training data its file names "
                       "(run from the folder those paths are relative to) and record them, so that --vividness can "
                       "divide them out (for colorizers saved before aekit recorded them)");
    opts.add_options()("set-vividness", cli::po::value<double>(),
                       "colorizer: record V (0 faithful to 1 vivid) as the vividness it decodes at when none is given");
    opts.add_options()("help,h", "this help");
    cli::po::positional_options_description pos;
    pos.add("model", 1);
    cli::po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit info MODEL [--layers] [--record-context | --record-class-weights] [--set-vividness V]", opts, pos, vm)) return cli::kOk;
    std::string path = vm["model"].as<std::string>();
    if (path.find('/') == std::string::npos && path.find(".safetensors") == std::string::npos)
        path = cli::resolveModel(path, path == "colorize" ? aekit::Task::Colorize : aekit::Task::Denoise);
    aekit::Model m = aekit::Model::load(path);
    if (vm.count("set-vividness")) checkVividness(m, path, vm["set-vividness"].as<double>());
    const auto& a = m.arch;
    std::printf("file:          %s\n", path.c_str());
    std::printf("task:          %s\n", aekit::toString(m.task));
    std::printf("channels:      %d in, %d out (%s)\n", a.inChannels, a.outChannels, a.colorSpace.c_str());
    std::string enc, dec;
    for (size_t i = 0; i < a.encoder.size(); ++i) {
        enc += (i ? "/" : "") + std::to_string(a.encoder[i]);
        dec += (i ? "/" : "") + std::to_string(a.decoder[i]);
    }
    std::printf("architecture:  %d levels, encoder %s, code %d, decoder %s, %d convs per level\n", a.levels(),
                enc.c_str(), a.code, dec.c_str(), a.convsPerLevel);
    std::printf("               skips %s%s, residual %s, upsampling %s, activation %s\n", a.skips ? "on" : "off",
                a.inputSkip ? " (with input)" : "", a.residual ? "on" : "off", aekit::toString(a.upsample),
                aekit::toString(a.activation));
    std::printf("parameters:    %lld\n", static_cast<long long>(a.parameterCount()));
    std::printf("cost:          %.0f multiply-adds per pixel, receptive field %d px\n", a.macsPerPixel(),
                a.receptiveField());
    aekit::ImageModel im(m, {});
    std::printf("memory:        %.0f bytes per tile pixel for the network's buffers, plus %.1f MB\n", im.tileBytesPerPixel(),
                im.tileFixedBytes() / (1 << 20));
    if (const auto j = classColorizer(m); !j.is_null()) {
        std::printf("colour:        %d ab classes, default vividness %g%s\n", a.outChannels, j.value("vividness", 1.0),
                    j.contains("class_weights") ? "" : " (no class weights recorded: --vividness changes the temperature only)");
    }
    if (m.task != aekit::Task::Colorize) {
        const int radius = im.contextRadius();
        char source[64] = "recorded in the model file";
        if (im.contextMeasureSeconds() > 0) std::snprintf(source, sizeof source, "measured now, in %.1f s", im.contextMeasureSeconds());
        std::printf("context:       output within 0.5/255 given %d px of context (%s); tiles overlap by %d px\n", radius, source,
                    im.tileOverlap());
        if (vm.count("record-context") && im.contextMeasureSeconds() > 0) {
            m.metadata["aekit.context"] = aekit::contextMetadata(radius);
            m.save(path);
            std::printf("               recorded in %s\n", path.c_str());
        }
    } else if (vm.count("record-context")) {
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--record-context: a colorizer's tiles overlap by half its receptive field; nothing to record");
    }
    if (vm.count("record-class-weights")) recordClassWeights(m, path);
    if (vm.count("set-vividness")) setDefaultVividness(m, path, vm["set-vividness"].as<double>());
    if (vm.count("layers")) {
        std::printf("layers:        %-10s %-11s %5s %5s  scale\n", "name", "kind", "in", "out");
        for (const aekit::Layer& layer : a.layers())
            std::printf("               %-10s %-11s %5d %5d  1/%d\n", layer.name.c_str(), aekit::toString(layer.kind),
                        layer.inChannels, layer.outChannels, 1 << layer.level);
    }
    for (const auto& [k, v] : m.metadata) {
        if (k == "aekit.arch" || k == "aekit.task" || k == "aekit.colorize") continue;
        std::printf("%-14s %s\n", (k + ":").c_str(), v.c_str());
    }
    return cli::kOk;
}
