// SPDX-License-Identifier: Apache-2.0
// Anomaly maps, scores, thresholds and ROC-AUC (see aekit/anomaly.hpp).
#include "aekit/anomaly.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/metrics.hpp"

namespace aekit {

AnomalyScore parseAnomalyScore(const std::string& s) {
    if (s == "mse") return AnomalyScore::MSE;
    if (s == "ssim") return AnomalyScore::SSIM;
    fail(ErrorKind::InvalidArgument, "unknown anomaly score '" + s + "' (mse|ssim)");
}

AnomalyAggregate parseAnomalyAggregate(const std::string& s) {
    if (s == "mean") return AnomalyAggregate::Mean;
    if (s == "peak") return AnomalyAggregate::Peak;
    fail(ErrorKind::InvalidArgument, "unknown aggregate '" + s + "' (mean|peak)");
}

Anomaly anomalyOf(ImageModel& model, const Image& image, AnomalyScore kind, AnomalyAggregate aggregate) {
    const Image out = model.reconstruct(image);
    Anomaly a;
    a.map = Image::blank(image.width, image.height, 1);
    float* m = a.map.plane(0);
    if (kind == AnomalyScore::MSE) {
        for (int c = 0; c < image.channels; ++c)
            for (int64_t i = 0; i < image.planeSize(); ++i) {
                const float d = std::clamp(out.plane(c)[i], 0.f, 1.f) - image.plane(c)[i];
                m[i] += d * d / float(image.channels);
            }
    } else {
        Image clipped = out;
        for (float& v : clipped.pixels) v = std::clamp(v, 0.f, 1.f);
        const Image s = ssimMap(clipped, image);
        for (int64_t i = 0; i < image.planeSize(); ++i) m[i] = (1.f - s.plane(0)[i]) / 2.f;
    }
    cv::Mat map(image.height, image.width, CV_32F, m);
    if (aggregate == AnomalyAggregate::Mean) {
        a.score = cv::mean(map)[0];
    } else {
        cv::Mat smooth;
        cv::GaussianBlur(map, smooth, {0, 0}, 2.0, 2.0, cv::BORDER_REFLECT);
        double peak = 0;
        cv::minMaxLoc(smooth, nullptr, &peak);
        a.score = peak;
    }
    return a;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) fail(ErrorKind::InvalidArgument, "percentile of no values");
    std::sort(values.begin(), values.end());
    const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * double(values.size() - 1);
    const size_t i = static_cast<size_t>(pos);
    const double f = pos - double(i);
    return i + 1 < values.size() ? values[i] * (1 - f) + values[i + 1] * f : values[i];
}

Image heatmapOverlay(const Image& image, const Image& map, double low, double high) {
    const Image grey = image.channels == 3 ? toGray(image) : image;
    cv::Mat g(grey.height, grey.width, CV_32F, const_cast<float*>(grey.plane(0)));
    cv::Mat e(map.height, map.width, CV_32F, const_cast<float*>(map.plane(0)));
    cv::Mat e8, g8, heat, grey3, blend;
    const double span = std::max(1e-12, high - low);
    e.convertTo(e8, CV_8U, 255.0 / span, -255.0 * low / span);  // saturating
    g.convertTo(g8, CV_8U, 255.0);
    cv::applyColorMap(e8, heat, cv::COLORMAP_JET);  // BGR
    cv::cvtColor(g8, grey3, cv::COLOR_GRAY2BGR);
    cv::addWeighted(grey3, 0.5, heat, 0.5, 0.0, blend);
    Image out = Image::blank(image.width, image.height, 3, 8);
    const int bgr[3] = {2, 1, 0};
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < blend.rows; ++y)
            for (int x = 0; x < blend.cols; ++x)
                out.plane(c)[int64_t(y) * out.width + x] = blend.at<cv::Vec3b>(y, x)[bgr[c]] / 255.f;
    return out;
}

double rocAuc(const std::vector<double>& normal, const std::vector<double>& anomalous) {
    if (normal.empty() || anomalous.empty()) fail(ErrorKind::InvalidArgument, "ROC-AUC needs normal and anomalous scores");
    double wins = 0;
    for (double a : anomalous)
        for (double n : normal) wins += a > n ? 1.0 : (a == n ? 0.5 : 0.0);
    return wins / (double(normal.size()) * double(anomalous.size()));
}

}  // namespace aekit
