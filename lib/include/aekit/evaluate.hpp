// SPDX-License-Identifier: Apache-2.0
// The evaluation protocol of docs/evaluation.md (contract for every PSNR aekit publishes): seeded AWGN on
// clean 8-bit images, noisy not clipped (float protocol) or clipped and rounded (8-bit protocol),
// output clipped and rounded to 8 bits, PSNR and SSIM per image and averaged. Also colorize
// figures (PSNR, gray baseline, colourfulness ratio) and paired data (RMSE, PSNR).
#pragma once
#include <string>
#include <vector>

#include "aekit/inference.hpp"
#include "aekit/metrics.hpp"
#include "aekit/model.hpp"
#include "aekit/noise.hpp"
#include "aekit/scan_colour.hpp"

namespace aekit {

struct EvalOptions {
    std::string noise = "gaussian:25";
    uint64_t seed = 0;
    bool eightBit = false;          // 8-bit protocol
    bool baselineNlm = false;       // OpenCV non-local means on the same 8-bit noisy images
    double nlmH = 0;                // h of NLM; 0: the value tuned on training images for this sigma
    std::vector<std::string> target;  // paired clean folders (then no noise is added)
    // Folders of masks matched by relative path. Denoise, with target: non-zero is a mark (ink on a
    // page), for the error on the marks and on the rest (the paper) separately. Colorize: page label
    // maps (aekit/metrics.hpp, pageColour) for the colour of paper, ink and coloured marks.
    std::vector<std::string> mask;
    // Colorize, real scans (aekit/scan_colour.hpp): paper tone, paper spread, ink and blue ink per page,
    // and, with floorFrom, the floor that needs no network: every pixel given the median paper a*b*
    // of floorFrom's pages (the training scans), L from the grey page.
    bool scans = false;
    std::vector<std::string> floorFrom;
    std::string saveDir;            // strips noisy | aekit | [baseline] | clean as PNG
    bool gray = false;              // denoise: evaluate on grey versions (8-bit luma); a colour model sees
                                    // the grey image as three equal channels and its output's luma is scored
    InferenceOptions inference;
};

struct EvalImage {
    std::string file;
    double inputPsnr = 0, psnr = 0, ssim = 0;
    double baselinePsnr = 0, baselineSsim = 0;
    double colourfulnessRatio = 0;  // colorize: output / truth
    double edgeChromaError = 0;     // colorize: mean ab error within 2 px of strong edges (halos)
    double rmse = 0;                // paired: on the 0-1 scale
    double maskMae = 0;             // with a mask: mean absolute error on its pixels (0-1 scale)
    double unmaskedRmse = 0;        // and RMSE on the others
    PageColour page;                // colorize with a mask: paper, ink and marks (negative: none on the page)
    ScanColour scan, floorScan;     // colorize with scans: the output's figures and the constant floor's
    double floorPsnr = 0;
    double nlmH = 0;                // the baseline's h (0-255 scale)
    double estimatedSigma = 0;      // noise level measured on the noisy image when h came from it
};

struct EvalResult {
    std::vector<EvalImage> images;
    EvalImage mean;
    double nlmH = 0;  // mean over images
    Ab floorColour;   // with floorFrom: the constant a*b* of the floor
    double seconds = 0;
};

// images: folders of clean images (or degraded ones with options.target).
EvalResult evaluate(ImageModel& model, const std::vector<std::string>& images, const EvalOptions& options);

// OpenCV non-local means on an 8-bit image (all channels at once), h on the 0-255 scale.
Image nlmDenoise(const Image& noisy8bit, double h);
// The h factor (h = factor * sigma) used for a sigma, grey or colour (defaults; tuneNlm re-tunes
// them on training images).
double nlmFactor(double sigma, bool colour);
// The noise level of an image measured on itself (aekit/noise_stats.hpp), 0-255; 0 when too small.
double estimatedNoiseSigma(const Image& noisy);
// h = this factor times the estimated sigma, for noise of unknown level (real photos, camera noise):
// tuned with tuneNlm on training images with camera noise (docs/camera-noise.md).
constexpr double kEstimatedNlmFactor = 0.5;
// NLM on an 8-bit noisy image: h fixed (> 0), from a known Gaussian sigma (> 0), or from the level
// estimated on the image; records h (and the estimate) in r.
Image nlmBaseline(const Image& noisy8bit, double sigma, bool colour, double fixedH, EvalImage& r);

struct NlmTuning {
    std::vector<std::pair<double, double>> factorPsnr;  // factor, mean PSNR (8-bit protocol)
    double best = 0;
};
// Mean NLM PSNR on the first `maxImages` images of the folders, corrupted by noise, for each factor:
// h = factor * the spec's Gaussian sigma, or, when the spec has none (camera noise), factor * the
// sigma estimated on each noisy image.
NlmTuning tuneNlm(const std::vector<std::string>& folders, const NoiseSpec& noise, bool colour, int maxImages,
                  uint64_t seed, const std::vector<double>& factors);

}  // namespace aekit
