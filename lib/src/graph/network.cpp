// SPDX-License-Identifier: Apache-2.0
// Network: the public face of an autoencoder graph (see aekit/network.hpp).
#include "aekit/network.hpp"

#include <omp.h>

#include <algorithm>

#include "aekit/error.hpp"
#include "aekit/random.hpp"
#include "graph/autoencoder.hpp"

namespace aekit {

const char* toString(Precision p) { return p == Precision::BF16 ? "bf16" : "f32"; }

Precision parsePrecision(const std::string& s) {
    if (s == "f32") return Precision::F32;
    if (s == "bf16") return Precision::BF16;
    fail(ErrorKind::InvalidArgument, "unknown precision '" + s + "' (f32|bf16)");
}

bool bf16Supported() {
    const auto isa = dnnl::get_effective_cpu_isa();
    return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

namespace {
ConvAlgorithm gConvAlgorithm = ConvAlgorithm::Auto;
}

const char* toString(ConvAlgorithm a) { return a == ConvAlgorithm::Direct ? "direct" : "auto"; }

ConvAlgorithm parseConvAlgorithm(const std::string& s) {
    if (s == "auto") return ConvAlgorithm::Auto;
    if (s == "direct") return ConvAlgorithm::Direct;
    fail(ErrorKind::InvalidArgument, "unknown convolution algorithm '" + s + "' (auto|direct)");
}

void setConvAlgorithm(ConvAlgorithm a) { gConvAlgorithm = a; }
ConvAlgorithm convAlgorithm() { return gConvAlgorithm; }

struct Network::Impl {
    Architecture arch;
    Mode mode;
    Precision precision;
    graph::Graph g;
    Impl(const Architecture& a, Mode m, Precision p)
        : arch(a),
          mode(m),
          precision(p),
          g(m == Mode::Training, p == Precision::BF16, p == Precision::F32 && convAlgorithm() == ConvAlgorithm::Auto) {
        if (p == Precision::BF16 && !bf16Supported())
            fail(ErrorKind::Unsupported, "bf16 needs a CPU with AVX512-BF16; this one runs f32 only");
        graph::buildAutoencoder(g, arch);
    }
};

Network::Network(const Architecture& arch, Mode mode, Precision precision) {
    try {
        impl_ = std::make_unique<Impl>(arch, mode, precision);
    } catch (const dnnl::error& e) {  // the library throws only aekit::Error
        fail(ErrorKind::Engine, std::string("oneDNN could not set up the network: ") + e.what());
    }
}
Network::~Network() = default;

const Architecture& Network::architecture() const { return impl_->arch; }
Mode Network::mode() const { return impl_->mode; }
Precision Network::precision() const { return impl_->precision; }

void Network::initWeights(uint64_t seed) {
    Random rng(seed);
    for (ops::Param* p : impl_->g.params()) {
        float* v = p->valuePtr();
        if (p->dims.size() == 1) {
            std::fill_n(v, p->size(), 0.f);
            continue;
        }
        // He-normal over the fan-in (IC*KH*KW); deconvolution weights are OC x IC x 2 x 2 too.
        const double fanIn = double(p->dims[1]) * p->dims[2] * p->dims[3];
        double sd = std::sqrt(2.0 / fanIn);
        // A residual network starts near the identity: its output layer's prediction small against
        // the input. At full He scale the first outputs are far off (MSE 0.16 on sigma-25 noise),
        // and the large first gradients can silence every ReLU for good on some seeds.
        if (impl_->arch.residual && p->name == "out.weight") sd *= 0.1;
        for (int64_t i = 0; i < p->size(); ++i) v[i] = static_cast<float>(sd * rng.normal());
    }
    impl_->g.weightsChanged();
}

void Network::setWeights(const WeightMap& weights) {
    for (ops::Param* p : impl_->g.params()) {
        auto it = weights.find(p->name);
        if (it == weights.end()) fail(ErrorKind::BadFile, "tensor '" + p->name + "' is missing");
        std::vector<int64_t> want(p->dims.begin(), p->dims.end());
        if (it->second.shape != want) {
            std::string got, exp;
            for (auto d : it->second.shape) got += (got.empty() ? "" : "x") + std::to_string(d);
            for (auto d : want) exp += (exp.empty() ? "" : "x") + std::to_string(d);
            fail(ErrorKind::BadFile, "tensor '" + p->name + "' has shape " + got + ", the architecture needs " + exp);
        }
        if (static_cast<int64_t>(it->second.data.size()) != p->size())
            fail(ErrorKind::BadFile, "tensor '" + p->name + "' holds the wrong number of values");
        std::copy(it->second.data.begin(), it->second.data.end(), p->valuePtr());
    }
    impl_->g.weightsChanged();
}

WeightMap Network::weights() const {
    WeightMap out;
    for (ops::Param* p : impl_->g.params()) {
        HostTensor t;
        t.shape.assign(p->dims.begin(), p->dims.end());
        t.data.assign(p->valuePtr(), p->valuePtr() + p->size());
        out.emplace(p->name, std::move(t));
    }
    return out;
}

int64_t Network::parameterCount() const {
    int64_t n = 0;
    for (ops::Param* p : impl_->g.params()) n += p->size();
    return n;
}

void Network::requestInputGradient() { impl_->g.requestInputGradient(); }
void Network::requestCodeGradient() { impl_->g.requestCodeGradient(); }

void Network::setShape(int N, int H, int W) {
    const int a = impl_->arch.alignment();
    if (H % a || W % a)
        fail(ErrorKind::InvalidArgument, "network input " + std::to_string(H) + "x" + std::to_string(W) +
                                             " is not a multiple of " + std::to_string(a) + " (2^levels)");
    impl_->g.finalize(N, H, W);
}
size_t Network::shapeBytes() const { return impl_->g.shapeBytes(); }
void Network::setBlockLimit(size_t bytes) { impl_->g.setBlockLimit(bytes); }
void Network::releaseBlock() { impl_->g.releaseBlock(); }
void Network::setKeptWeightLayouts(size_t n) { impl_->g.setKeptWeightLayouts(n); }
int Network::batch() const { return static_cast<int>(impl_->g.inputDims()[0]); }
int Network::height() const { return static_cast<int>(impl_->g.inputDims()[2]); }
int Network::width() const { return static_cast<int>(impl_->g.inputDims()[3]); }

float* Network::input() { return impl_->g.inputBuffer(); }
void Network::forward() { impl_->g.forward(); }
const float* Network::output() const { return impl_->g.outputBuffer(); }
void Network::setOutputStrips(int rows) { impl_->g.setOutputStrips(rows); }
int Network::outputStripRows() const { return impl_->g.outputStripRows(); }
const float* Network::outputRows(int y0) { return impl_->g.outputRows(y0); }
const float* Network::code() { return impl_->g.codeBuffer(); }
std::vector<int64_t> Network::codeShape() const {
    const auto& d = impl_->g.codeDims();
    return {d.begin(), d.end()};
}
float* Network::outputGradient() { return impl_->g.outputDiffBuffer(); }
float* Network::codeGradient() { return impl_->g.codeDiffBuffer(); }
void Network::backward() { impl_->g.backward(); }
const float* Network::inputGradient() const { return impl_->g.inputDiffBuffer(); }

std::vector<ParamView> Network::params() {
    std::vector<ParamView> out;
    for (ops::Param* p : impl_->g.params()) out.push_back({p->name, p->valuePtr(), p->gradPtr(), p->size(), p->decay});
    return out;
}
void Network::weightsChanged() { impl_->g.weightsChanged(); }

void setThreads(int n, int processesHere) {
    omp_set_num_threads(n > 0 ? n : std::max(1, omp_get_num_procs() / std::max(1, processesHere)));
}
int threads() { return omp_get_max_threads(); }

}  // namespace aekit
