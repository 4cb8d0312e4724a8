// SPDX-License-Identifier: Apache-2.0
// Colorization by classification (Zhang et al. 2016): the ab plane quantised into in-gamut bins,
// class rebalancing weights from the training data's bin frequencies, and the annealed-mean decode.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aekit::tasks {

class AbBins {
public:
    // Bins of side `grid` over a, b in [-110, 110) whose centres are reachable in sRGB for some L.
    static AbBins inGamut(double grid = 10);
    static AbBins fromJson(const std::string& json);  // throws Error(BadFile)
    std::string toJson() const;

    int count() const { return static_cast<int>(a_.size()); }
    float a(int q) const { return a_[q]; }
    float b(int q) const { return b_[q]; }
    int nearest(float a, float b) const;  // index of the closest bin centre
    // The 4 bins around (a, b) with bilinear shares (summing to 1): where all four are in gamut, the
    // shares' mean of their centres is (a, b) itself, so a model trained on such soft labels can
    // give back a colour finer than the grid (a page's paper tone). A corner out of gamut gives its
    // share to the bin nearest to it.
    void bilinear(float a, float b, int32_t bins[4], float shares[4]) const;

    // weights = ((1 - lambda) * smoothed p + lambda / Q)^-1, normalised so that E_p[w] = 1.
    std::vector<float> rebalancingWeights(const std::vector<double>& counts, double lambda = 0.5, double sigma = 5) const;

    // How a pixel's distribution over the bins becomes one colour.
    enum class Rule {
        Mean,             // its (annealed) mean
        // Neutral (a = b = 0) where the bins next to neutral (centres less than one grid step from
        // it) hold at least half of it, else the mean of the other bins: a pixel is either ink or
        // a colour, never the grey-blue blend of both that the mean gives a stroke the model is
        // unsure of. For documents; on photos it costs PSNR (muted colours are common there).
        NeutralOrColour,
    };
    static Rule parseRule(const std::string& name);  // "mean" | "neutral-or-colour"; throws Error(InvalidArgument)
    static std::string toString(Rule rule);
    bool isNeutral(int q) const;

    // logits: Q x HW (one image); writes a and b (HW each) from softmax((logits + bias) / T), the
    // temperature-annealed distribution (bias: Q values added to every pixel's logits, or null), by
    // `rule`.
    void decode(const float* logits, int64_t HW, float temperature, float* aOut, float* bOut,
                const float* bias = nullptr, Rule rule = Rule::Mean) const;

private:
    double grid_ = 10;
    std::vector<float> a_, b_;
    std::vector<int> lookup_;  // grid cell -> bin (nearest in-gamut), for nearest()
    int cells_ = 0;
    void buildLookup();
};

}  // namespace aekit::tasks
