// SPDX-License-Identifier: Apache-2.0
// The subcommand table: each command lives in its own cmd_*.cpp.
#pragma once
#include <vector>

struct Command {
    const char* name;
    const char* summary;
    int (*run)(int argc, char** argv);  // argv[0] is the command name
    bool ranks = false;                 // runs as a job of ranks under mpirun (the others run as one process)
};

int runInfo(int argc, char** argv);
int runCorrupt(int argc, char** argv);
int runTrain(int argc, char** argv);
int runDenoise(int argc, char** argv);
int runColorize(int argc, char** argv);
int runEval(int argc, char** argv);
int runBench(int argc, char** argv);
int runAnomaly(int argc, char** argv);
int runEmbed(int argc, char** argv);
int runNoise(int argc, char** argv);
int runExport(int argc, char** argv);
int runPlot(int argc, char** argv);

inline const std::vector<Command>& commands() {
    static const std::vector<Command> table{
        {"corrupt", "add noise to images (training pairs, tests)", runCorrupt, true},
        {"train", "train a denoiser, colorizer or autoencoder on image folders", runTrain, true},
        {"denoise", "denoise photos and folders", runDenoise, true},
        {"colorize", "colorize grayscale photos and scans", runColorize, true},
        {"eval", "PSNR/SSIM of a model on an image folder (evaluation protocol)", runEval},
        {"anomaly", "anomaly maps and scores from an autoencoder's reconstruction error", runAnomaly},
        {"embed", "bottleneck codes of images (CSV, scatter plot, PCA comparison)", runEmbed},
        {"noise", "measure the noise in images (level, correlation) without a clean reference", runNoise},
        {"plot", "draw a training log's loss and validation curves (as train does)", runPlot},
        {"bench", "speed of the benchmark network (training and inference)", runBench},
        {"info", "describe a model file", runInfo},
        {"export", "a model's network as ONNX, to run it elsewhere", runExport},
    };
    return table;
}
