// SPDX-License-Identifier: Apache-2.0
// aekit info MODEL: what a model file is (task, architecture, size, cost, context used, provenance).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/model.hpp"
#include "aekit/trainer.hpp"
#include "cli.hpp"
#include "commands.hpp"

namespace {

namespace fs = std::filesystem;

// The file a --set-* or --record-* option rewrites: a link's target (written through the link, which
// stays a link), refused up front when it is read-only.
std::string rewrittenFile(const std::string& path) {
    std::error_code ec;
    const fs::path target = fs::canonical(path, ec);
    if (ec) throw aekit::Error(aekit::ErrorKind::InvalidArgument, path + ": cannot resolve the model file: " + ec.message());
    const auto perms = fs::status(target, ec).permissions();
    if ((perms & (fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write)) == fs::perms::none)
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, path + ": the model file is read-only; refused (make it writable to record settings in it)");
    return target.string();
}

// Saves the model over `target` (atomically), keeping the file's permissions.
void saveKeepingMode(const aekit::Model& m, const std::string& target) {
    std::error_code ec;
    const auto perms = fs::status(target, ec).permissions();
    m.save(target);
    if (!ec) fs::permissions(target, perms, fs::perm_options::replace, ec);
}

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
    o.resizeLong = t.value("resize_long", 0);
    const std::vector<float> weights = aekit::colourClassWeights(o);
    c["class_weights"] = weights;
    m.metadata["aekit.colorize"] = c.dump();
    saveKeepingMode(m, rewrittenFile(path));
    std::printf("class weights: %zu, from %s; recorded in %s\n", weights.size(), nlohmann::json(o.data).dump().c_str(),
                path.c_str());
}

// What a colorizer does when the user says nothing (aekit.colorize's "vividness", "decode" and
// "size"), from --set-vividness, --set-colour-decode and --set-size. Checked before anything is
// printed: valid values and a colorizer over ab classes.
struct ColourDefaults {
    std::optional<double> vividness;
    std::optional<std::string> decode;
    std::optional<int> size;
    bool any() const { return vividness || decode || size; }
};

ColourDefaults colourDefaults(const cli::po::variables_map& vm, const aekit::Model& m, const std::string& path) {
    ColourDefaults d;
    if (vm.count("set-vividness")) d.vividness = vm["set-vividness"].as<double>();
    if (vm.count("set-colour-decode")) d.decode = vm["set-colour-decode"].as<std::string>();
    if (vm.count("set-size")) d.size = vm["set-size"].as<int>();
    auto bad = [](const std::string& what) { throw aekit::Error(aekit::ErrorKind::InvalidArgument, what); };
    if (d.vividness && !(*d.vividness >= 0 && *d.vividness <= 1)) bad("--set-vividness: from 0 (faithful) to 1 (vivid)");
    if (d.decode && *d.decode != "mean" && *d.decode != "neutral-or-colour") bad("--set-colour-decode: mean or neutral-or-colour");
    if (d.size && *d.size < 0) bad("--set-size: 0 (full resolution) or a side in pixels");
    const char* given = d.vividness ? "--set-vividness" : d.decode ? "--set-colour-decode" : "--set-size";
    if (d.any() && classColorizer(m).is_null()) bad(std::string(given) + ": " + path + ": not a colorizer over ab classes");
    return d;
}

void recordColourDefaults(aekit::Model& m, const std::string& path, const ColourDefaults& d) {
    auto c = classColorizer(m);
    if (d.vividness) c["vividness"] = *d.vividness;
    if (d.decode) c["decode"] = *d.decode;
    if (d.size) c["size"] = *d.size;
    m.metadata["aekit.colorize"] = c.dump();
    saveKeepingMode(m, rewrittenFile(path));
    std::printf("defaults:      vividness %g, colour decode %s, working size %d; recorded in %s\n", c.value("vividness", 1.0),
                c.value("decode", std::string("mean")).c_str(), c.value("size", 512), path.c_str());
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
    opts.add_options()("set-colour-decode", cli::po::value<std::string>(),
                       "colorizer: record mean | neutral-or-colour as its colour decode when none is given");
    opts.add_options()("set-size", cli::po::value<int>(),
                       "colorizer: record N as its working size (long side, 0: full) when none is given");
    opts.add_options()("help,h", "this help");
    cli::po::positional_options_description pos;
    pos.add("model", 1);
    cli::po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit info MODEL [--layers] [--record-context | --record-class-weights] [--set-vividness V] "
                   "[--set-colour-decode RULE] [--set-size N]", opts, pos, vm)) return cli::kOk;
    std::string path = vm["model"].as<std::string>();
    if (path.find('/') == std::string::npos && path.find(".safetensors") == std::string::npos)
        path = cli::resolveModel(path, path == "colorize" ? aekit::Task::Colorize : aekit::Task::Denoise);
    aekit::Model m = aekit::Model::load(path);
    const ColourDefaults defaults = colourDefaults(vm, m, path);
    for (const char* option : {"set-vividness", "set-colour-decode", "set-size", "record-context", "record-class-weights"})
        if (vm.count(option)) rewrittenFile(path);  // refused before any work
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
        std::printf("colour:        %d ab classes, default vividness %g, colour decode %s, working size %d%s\n", a.outChannels,
                    j.value("vividness", 1.0), j.value("decode", std::string("mean")).c_str(), j.value("size", 512),
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
            saveKeepingMode(m, rewrittenFile(path));
            std::printf("               recorded in %s\n", path.c_str());
        }
    } else if (vm.count("record-context")) {
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--record-context: a colorizer's tiles overlap by half its receptive field; nothing to record");
    }
    if (vm.count("record-class-weights")) recordClassWeights(m, path);
    if (defaults.any()) recordColourDefaults(m, path, defaults);
    if (vm.count("layers")) {
        std::printf("layers:        %-10s %-11s %5s %5s  scale\n", "name", "kind", "in", "out");
        for (const aekit::Layer& layer : a.layers())
            std::printf("               %-10s %-11s %5d %5d  1/%d\n", layer.name.c_str(), aekit::toString(layer.kind),
                        layer.inChannels, layer.outChannels, 1 << layer.level);
    }
    for (const auto& [k, v] : m.metadata) {
        if (k == "aekit.arch" || k == "aekit.task" || k == "aekit.colorize") continue;
        // Metadata is the file's, not aekit's: quoted safe and cut (a 52 MB value, escape sequences).
        std::printf("%-14s %s\n", cli::printable(k + ":", 200).c_str(), cli::printable(v, 4000).c_str());
    }
    return cli::kOk;
}
