// SPDX-License-Identifier: Apache-2.0
// Reconstruction losses and code penalties: plain loops on NCHW host buffers (oneDNN has no
// loss primitive). Each returns the loss and ASSIGNS its gradient.
#pragma once
#include <cstdint>
#include <string>

namespace aekit {

enum class LossKind { MSE, L1, BCE };
LossKind parseLoss(const std::string& s);
const char* toString(LossKind k);

// Mean over n elements. BCE requires output in (0,1) (a sigmoid output) and target in [0,1];
// its gradient is clamped away from 0 and 1 so it stays finite.
double lossAndGradient(LossKind kind, const float* output, const float* target, float* grad, int64_t n);

// Penalty on the code (sparse autoencoder): "l1:W" (W * mean |z|) or "kl:RHO:W" (W * sum over
// channels of KL(rho || mean activation of the channel), code in (0,1) from a sigmoid).
struct Sparsity {
    enum class Kind { None, L1, KL } kind = Kind::None;
    double weight = 0;
    double rho = 0.05;
    static Sparsity parse(const std::string& spec);  // "", "l1:W", "kl:RHO:W"; throws with the grammar
    std::string toString() const;
};
// code: N x C x HW plain. Assigns grad (same shape); returns the penalty.
double sparsityPenalty(const Sparsity& s, const float* code, float* grad, int64_t N, int64_t C, int64_t HW);

// Weighted softmax cross-entropy over C classes per pixel, for colorization by classification.
// logits: N x C x HW; labels: N x HW (class index); weights: per class. Returns the mean over
// pixels of w[label] * -log softmax[label] and assigns grad.
double softmaxCrossEntropy(const float* logits, const int32_t* labels, const float* classWeights, float* grad,
                           int64_t N, int64_t C, int64_t HW);
// Soft targets: each pixel has K (class, share) pairs, shares summing to 1 (labels and shares: N x K x
// HW), e.g. the 4 bins around its colour with bilinear shares. Returns the mean over pixels of
// W * -sum_k share_k log softmax[label_k], W the shares' mean of their classes' weights.
double softmaxCrossEntropy(const float* logits, const int32_t* labels, const float* shares, int K, const float* classWeights,
                           float* grad, int64_t N, int64_t C, int64_t HW);

}  // namespace aekit
