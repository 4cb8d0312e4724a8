// SPDX-License-Identifier: Apache-2.0
// aekit export MODEL --onnx FILE: the model's network as ONNX, to run it elsewhere.
#include <iostream>

#include "aekit/error.hpp"
#include "aekit/model.hpp"
#include "aekit/onnx_export.hpp"
#include "aekit/output_files.hpp"
#include "cli.hpp"
#include "commands.hpp"

int runExport(int argc, char** argv) {
    namespace po = cli::po;
    std::string modelName, onnx;
    po::options_description opts("options");
    po::positional_options_description pos;
    // clang-format off
    opts.add_options()
        ("model", po::value(&modelName)->required(), "a shipped model's name (photo, color, gray, document, colorize) or a model file")
        ("onnx", po::value(&onnx)->required(), "the ONNX file to write")
        ("help,h", "this help");
    // clang-format on
    pos.add("model", 1);
    po::variables_map vm;
    if (!cli::parse(argc, argv, "usage: aekit export MODEL --onnx FILE", opts, pos, vm)) return cli::kOk;
    const std::string path = cli::resolveModel(modelName, aekit::Task::Denoise);
    aekit::refuseOutputOverInput(onnx, {path}, "--onnx");
    aekit::refuseUnwritableOutput(onnx, "--onnx");
    const aekit::Model model = aekit::Model::load(path);
    const std::vector<uint8_t> bytes = aekit::exportOnnx(model);
    aekit::writeBinaryFile(onnx, bytes);
    std::cerr << "export: " << onnx << " (" << bytes.size() << " bytes; input " << model.arch.inChannels << " x H x W, output "
              << model.arch.outChannels << " x H x W, H and W multiples of " << model.arch.alignment() << ")\n";
    return cli::kOk;
}
