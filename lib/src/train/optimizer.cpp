// SPDX-License-Identifier: Apache-2.0
// Adam/AdamW/SGD updates, clipping and schedules (see aekit/optimizer.hpp).
#include "aekit/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "aekit/error.hpp"

namespace aekit {

OptimizerConfig::Kind OptimizerConfig::parseKind(const std::string& s) {
    if (s == "adam") return Kind::Adam;
    if (s == "adamw") return Kind::AdamW;
    if (s == "sgd") return Kind::SGD;
    fail(ErrorKind::InvalidArgument, "unknown optimiser '" + s + "' (adam|adamw|sgd)");
}

Optimizer::Optimizer(const OptimizerConfig& config, Network& net) : config_(config), net_(&net), params_(net.params()) {
    for (const auto& p : params_) {
        m_.emplace_back(static_cast<size_t>(p.size), 0.f);
        if (config_.kind != OptimizerConfig::Kind::SGD) v_.emplace_back(static_cast<size_t>(p.size), 0.f);
    }
}

void Optimizer::step(double lr) {
    ++t_;
    const auto& c = config_;
    const double bc1 = 1 - std::pow(c.beta1, double(t_)), bc2 = 1 - std::pow(c.beta2, double(t_));
    for (size_t k = 0; k < params_.size(); ++k) {
        const ParamView& p = params_[k];
        float* m = m_[k].data();
        const double wd = p.decay ? c.weightDecay : 0.0;
        if (c.kind == OptimizerConfig::Kind::SGD) {
#pragma omp parallel for
            for (int64_t i = 0; i < p.size; ++i) {
                const double g = p.grad[i] + wd * p.value[i];
                m[i] = static_cast<float>(c.momentum * m[i] + g);
                p.value[i] = static_cast<float>(p.value[i] - lr * m[i]);
            }
            continue;
        }
        float* v = v_[k].data();
        const bool decoupled = c.kind == OptimizerConfig::Kind::AdamW;
#pragma omp parallel for
        for (int64_t i = 0; i < p.size; ++i) {
            const double g = p.grad[i] + (decoupled ? 0.0 : wd * p.value[i]);
            m[i] = static_cast<float>(c.beta1 * m[i] + (1 - c.beta1) * g);
            v[i] = static_cast<float>(c.beta2 * v[i] + (1 - c.beta2) * g * g);
            const double update = (m[i] / bc1) / (std::sqrt(v[i] / bc2) + c.eps);
            double w = p.value[i] - lr * update;
            if (decoupled) w -= lr * wd * p.value[i];
            p.value[i] = static_cast<float>(w);
        }
    }
    net_->weightsChanged();
}

WeightMap Optimizer::state() const {
    WeightMap out;
    for (size_t k = 0; k < params_.size(); ++k) {
        out["opt.m." + params_[k].name] = {{params_[k].size}, m_[k]};
        if (!v_.empty()) out["opt.v." + params_[k].name] = {{params_[k].size}, v_[k]};
    }
    return out;
}

void Optimizer::setState(const WeightMap& state, int64_t steps) {
    auto load = [&](const std::string& key, std::vector<float>& dst) {
        auto it = state.find(key);
        if (it == state.end() || it->second.data.size() != dst.size())
            fail(ErrorKind::BadFile, "checkpoint: optimiser state '" + key + "' is missing or has the wrong size");
        dst = it->second.data;
    };
    for (size_t k = 0; k < params_.size(); ++k) {
        load("opt.m." + params_[k].name, m_[k]);
        if (!v_.empty()) load("opt.v." + params_[k].name, v_[k]);
    }
    t_ = steps;
}

double clipGradientNorm(std::vector<ParamView>& params, double maxNorm) {
    double sq = 0;
    for (const auto& p : params)
        for (int64_t i = 0; i < p.size; ++i) sq += double(p.grad[i]) * p.grad[i];
    const double norm = std::sqrt(sq);
    if (maxNorm > 0 && norm > maxNorm) {
        const float s = static_cast<float>(maxNorm / norm);
        for (auto& p : params)
            for (int64_t i = 0; i < p.size; ++i) p.grad[i] *= s;
    }
    return norm;
}

double Schedule::lrAt(int64_t step) const {
    if (warmupSteps > 0 && step < warmupSteps) return baseLr * double(step + 1) / double(warmupSteps);
    switch (kind) {
        case Kind::Constant: return baseLr;
        case Kind::Step: return baseLr * std::pow(gamma, double((step - warmupSteps) / std::max<int64_t>(1, stepEvery)));
        case Kind::Cosine: {
            const double span = double(std::max<int64_t>(1, totalSteps - warmupSteps));
            const double x = std::clamp(double(step - warmupSteps) / span, 0.0, 1.0);
            return minLr + (baseLr - minLr) * 0.5 * (1 + std::cos(std::numbers::pi * x));
        }
    }
    return baseLr;
}

Schedule::Kind Schedule::parseKind(const std::string& s) {
    if (s == "cosine") return Kind::Cosine;
    if (s == "step") return Kind::Step;
    if (s == "constant") return Kind::Constant;
    fail(ErrorKind::InvalidArgument, "unknown schedule '" + s + "' (cosine|step|constant)");
}

}  // namespace aekit
