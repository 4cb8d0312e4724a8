// SPDX-License-Identifier: Apache-2.0
// Codes, the PCA comparison and the scatter plot (see aekit/embedding.hpp).
#include "aekit/embedding.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

#include "aekit/error.hpp"
#include "aekit/inference.hpp"
#include "aekit/metrics.hpp"
#include "aekit/network.hpp"
#include "tasks/codec.hpp"

namespace aekit {

struct Embedder::Impl {
    Model model;
    int side;
    Network net;
    Impl(Model m, int s) : model(std::move(m)), side(0), net(model.arch, Mode::Inference) {
        if (model.task == Task::Colorize) fail(ErrorKind::InvalidArgument, "embed: a colorize model has no image-to-image code; use a reconstruct or denoise model");
        const int a = model.arch.alignment();
        if (s < a) fail(ErrorKind::InvalidArgument, "embed: --size must be at least " + std::to_string(a) + " for this model");
        if (s > 4096) fail(ErrorKind::InvalidArgument, "embed: --size must be at most 4096");
        side = (s + a - 1) / a * a;
        net.setWeights(model.weights);
        net.setShape(1, side, side);
    }
};

Embedder::Embedder(Model model, int size) : impl_(std::make_unique<Impl>(std::move(model), size)) {}
Embedder::~Embedder() = default;
int Embedder::size() const { return impl_->side; }
int Embedder::codeChannels() const { return impl_->model.arch.code; }
int Embedder::codeSize() const {
    const int s = impl_->side >> impl_->model.arch.levels();
    return impl_->model.arch.code * s * s;
}

Image Embedder::prepare(const Image& image) const {
    Image im = tasks::withChannels(image, impl_->model.arch.inChannels);
    im.alpha.clear();
    return (im.width == impl_->side && im.height == impl_->side) ? im : resizeImage(im, impl_->side, impl_->side);
}

std::vector<float> Embedder::code(const Image& prepared) {
    std::copy(prepared.pixels.begin(), prepared.pixels.end(), impl_->net.input());
    impl_->net.forward();
    const float* c = impl_->net.code();
    const auto shape = impl_->net.codeShape();  // 1 x C x h x w
    const int64_t plane = shape[2] * shape[3];
    std::vector<float> out(static_cast<size_t>(shape[1]));
    for (int64_t k = 0; k < shape[1]; ++k) {
        double s = 0;
        for (int64_t i = 0; i < plane; ++i) s += c[k * plane + i];
        out[size_t(k)] = float(s / double(plane));
    }
    return out;
}

Image Embedder::reconstruct(const Image& prepared) {
    std::copy(prepared.pixels.begin(), prepared.pixels.end(), impl_->net.input());
    impl_->net.forward();
    Image out = Image::blank(impl_->side, impl_->side, impl_->model.arch.outChannels);
    std::transform(impl_->net.output(), impl_->net.output() + out.pixels.size(), out.pixels.begin(),
                   [](float v) { return std::clamp(v, 0.f, 1.f); });
    return out;
}

PcaComparison compareWithPca(Embedder& embedder, const std::vector<Image>& fit, const std::vector<Image>& test) {
    if (fit.size() < 2 || test.empty()) fail(ErrorKind::InvalidArgument, "PCA comparison: needs at least 2 images to fit and 1 to test");
    const int D = int(fit[0].pixels.size());
    auto rows = [&](const std::vector<Image>& ims) {
        cv::Mat m(int(ims.size()), D, CV_32F);
        for (size_t i = 0; i < ims.size(); ++i) std::copy(ims[i].pixels.begin(), ims[i].pixels.end(), m.ptr<float>(int(i)));
        return m;
    };
    PcaComparison r;
    r.components = std::min(embedder.codeSize(), int(fit.size()) - 1);
    cv::PCA pca(rows(fit), cv::noArray(), cv::PCA::DATA_AS_ROW, r.components);
    const cv::Mat t = rows(test);
    cv::Mat back = pca.backProject(pca.project(t));
    cv::Mat clipped = cv::min(cv::max(back, 0.0), 1.0);
    r.pcaMse = cv::norm(clipped, t, cv::NORM_L2SQR) / double(t.total());
    double sum = 0;
    for (const Image& im : test) sum += mse(embedder.reconstruct(im), im);
    r.autoencoderMse = sum / double(test.size());
    return r;
}

Image codeScatterPlot(const std::vector<std::vector<float>>& codes, int side) {
    cv::Mat canvas(side, side, CV_8UC3, cv::Scalar(255, 255, 255));
    if (codes.size() >= 3 && codes[0].size() >= 2) {
        cv::Mat data(int(codes.size()), int(codes[0].size()), CV_32F);
        for (size_t i = 0; i < codes.size(); ++i) std::copy(codes[i].begin(), codes[i].end(), data.ptr<float>(int(i)));
        cv::PCA pca(data, cv::noArray(), cv::PCA::DATA_AS_ROW, 2);
        cv::Mat p = pca.project(data);
        if (p.cols < 2) cv::hconcat(p, cv::Mat::zeros(p.rows, 2 - p.cols, CV_32F), p);
        double minX, maxX, minY, maxY;
        cv::minMaxLoc(p.col(0), &minX, &maxX);
        cv::minMaxLoc(p.col(1), &minY, &maxY);
        const int m = side / 12;
        cv::rectangle(canvas, {m, m}, {side - m, side - m}, cv::Scalar(160, 160, 160));
        for (int i = 0; i < p.rows; ++i) {
            const double x = m + (side - 2 * m) * (p.at<float>(i, 0) - minX) / std::max(1e-12, maxX - minX);
            const double y = side - m - (side - 2 * m) * (p.at<float>(i, 1) - minY) / std::max(1e-12, maxY - minY);
            cv::circle(canvas, cv::Point(int(x), int(y)), 4, cv::Scalar(180, 90, 30), -1, cv::LINE_AA);
        }
        cv::putText(canvas, "code PC1", {side / 2 - 40, side - m / 3}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0));
        cv::putText(canvas, "PC2", {4, side / 2}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0));
    }
    Image out = Image::blank(side, side, 3, 8);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) out.plane(c)[int64_t(y) * side + x] = canvas.at<cv::Vec3b>(y, x)[2 - c] / 255.f;
    return out;
}

}  // namespace aekit
