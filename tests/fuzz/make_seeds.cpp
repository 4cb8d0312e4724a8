// SPDX-License-Identifier: Apache-2.0
// Writes the fuzzers' seed corpus (tests/fuzz/corpus/TARGET/) from images, models and specs this
// program makes itself: every image format and depth aekit reads, a small model, its architecture
// JSON and the noise grammar's forms.   make_seeds OUT_DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "aekit/architecture.hpp"
#include "aekit/image.hpp"
#include "aekit/model.hpp"
#include "aekit/network.hpp"

namespace fs = std::filesystem;

namespace {

void writeText(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

aekit::Image pattern(int w, int h, int channels, int depth, bool alpha) {
    aekit::Image im = aekit::Image::blank(w, h, channels, depth);
    for (size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = float((i * 37) % 256) / 255.f;
    if (alpha) im.alpha.assign(size_t(w) * h, uint16_t(depth == 16 ? 40000 : 200));
    return im;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_seeds OUT_DIR\n";
        return 2;
    }
    const fs::path out = argv[1];
    for (const char* t : {"image", "model_file", "arch_json", "noise_spec"}) fs::create_directories(out / t);

    int n = 0;
    for (const char* ext : {".png", ".tif", ".bmp", ".webp", ".jpg"})
        for (int channels : {1, 3})
            for (int depth : {8, 16})
                for (bool alpha : {false, true}) {
                    const std::string e = ext;
                    if (depth == 16 && e != ".png" && e != ".tif") continue;
                    if (alpha && (e == ".bmp" || e == ".jpg")) continue;
                    aekit::writeImage((out / "image" / ("seed" + std::to_string(n++) + e)).string(),
                                      pattern(7, 5, channels, depth, alpha));
                }

    aekit::Architecture arch;
    arch.encoder = {4, 4};
    arch.decoder = {4, 4};
    arch.code = 4;
    arch.convsPerLevel = 1;
    aekit::Network net(arch, aekit::Mode::Inference);
    aekit::Model model;
    model.arch = arch;
    model.weights = net.weights();
    model.save((out / "model_file" / "tiny.safetensors").string());
    writeText(out / "arch_json" / "tiny.json", arch.toJson());
    writeText(out / "arch_json" / "default.json", aekit::Architecture().toJson());
    writeText(out / "arch_json" / "bench_unet.json", aekit::Architecture::benchUnet().toJson());

    const char* specs[] = {"gaussian:25", "gaussian:0-55", "poisson:30", "saltpepper:0.05", "speckle:0.2",
                           "jpeg:30", "mask:0.3", "gaussian:15+jpeg:50+mask:0.1"};
    n = 0;
    for (const char* s : specs) writeText(out / "noise_spec" / ("spec" + std::to_string(n++)), s);
    std::cout << "seeds written to " << out << "\n";
    return 0;
}
