// SPDX-License-Identifier: Apache-2.0
// Anomaly maps from an autoencoder: what it cannot reconstruct is what does not fit the images it
// learnt from. Per-pixel error maps, a per-image score, a threshold calibrated as a percentile of
// normal images' scores, heatmap overlays, and ROC-AUC for benchmarks.
#pragma once
#include <string>
#include <vector>

#include "aekit/image.hpp"
#include "aekit/inference.hpp"

namespace aekit {

enum class AnomalyScore {
    MSE,   // squared reconstruction error, mean over channels
    SSIM,  // (1 - local SSIM) / 2: structure the model could not reproduce, less sensitive to brightness
};
AnomalyScore parseAnomalyScore(const std::string& s);  // "mse" | "ssim"

// How a map becomes one number per image.
enum class AnomalyAggregate {
    Mean,  // the map's mean: broad changes
    Peak,  // the maximum of the map smoothed by a Gaussian (sigma 2 px): small, local defects
};
AnomalyAggregate parseAnomalyAggregate(const std::string& s);  // "mean" | "peak"

struct Anomaly {
    double score = 0;  // the map, aggregated
    Image map;         // 1 plane, the image's size: per-pixel error
};

// Reconstructs image with a model whose input and output channels match the image's (a reconstruct
// or a denoise model) and measures what differs.
Anomaly anomalyOf(ImageModel& model, const Image& image, AnomalyScore kind,
                  AnomalyAggregate aggregate = AnomalyAggregate::Peak);

// The p-th percentile (0-100, linear interpolation) of values; Error on an empty list.
double percentile(std::vector<double> values, double p);

// The image in grey with the map over it in a colour scale (0 at `low`, full at `high`), 8-bit RGB.
Image heatmapOverlay(const Image& image, const Image& map, double low, double high);

// Area under the ROC curve of scores (higher = more anomalous): the probability that a random
// anomalous image scores above a random normal one (ties count half).
double rocAuc(const std::vector<double>& normal, const std::vector<double>& anomalous);

}  // namespace aekit
