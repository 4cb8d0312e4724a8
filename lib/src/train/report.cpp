// SPDX-License-Identifier: Apache-2.0
// CSV log, curve plot and preview grid (see report.hpp). Drawing with OpenCV.
#include "train/report.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/output_files.hpp"
#include "aekit/trainer.hpp"
#include "io/atomic_file.hpp"

namespace aekit::training {

constexpr const char* kLogHeader = "step,loss,lr,patches_per_s,val,seconds";

void appendLog(const std::string& csvPath, const LogRow& r) {
    // The whole log is rewritten atomically: a crash never leaves half a row, a full disk is reported.
    std::string text;
    if (std::filesystem::exists(csvPath)) {
        std::ifstream in(csvPath, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
        if (!in.good() && !in.eof()) fail(ErrorKind::Io, csvPath + ": cannot read the training log");
        if (!text.empty() && text.back() != '\n') text += '\n';
    }
    if (text.empty()) text = std::string(kLogHeader) + "\n";
    auto cell = [](double v) { return std::isfinite(v) ? std::to_string(v) : std::string(); };  // empty: no figure
    char line[256];
    std::snprintf(line, sizeof line, "%lld,%s,%.6g,%.4g,%s,%.1f\n", r.step, cell(r.loss).c_str(), r.lr,
                  r.patchesPerSecond, cell(r.val).c_str(), r.seconds);
    writeTextFile(csvPath, text + line);
}

namespace {

std::vector<LogRow> readLog(const std::string& csvPath) {
    std::vector<LogRow> rows;
    std::ifstream f(csvPath);
    std::string line;
    std::getline(f, line);  // header
    while (std::getline(f, line)) {
        std::stringstream ss(line);
        std::string cell;
        std::vector<std::string> cells;
        while (std::getline(ss, cell, ',')) cells.push_back(cell);
        if (cells.size() < 4) continue;
        LogRow r{};
        try {
            r.step = std::stoll(cells[0]);
            r.loss = cells[1].empty() ? NAN : std::stod(cells[1]);
            r.lr = std::stod(cells[2]);
            r.patchesPerSecond = std::stod(cells[3]);
            r.val = cells.size() > 4 && !cells[4].empty() ? std::stod(cells[4]) : NAN;
        } catch (...) {
            continue;
        }
        rows.push_back(r);
    }
    return rows;
}

// Tick values at 1, 2 or 5 x 10^k covering [lo, hi], about `count` of them.
std::vector<double> niceTicks(double lo, double hi, int count) {
    const double raw = (hi - lo) / std::max(1, count), mag = std::pow(10, std::floor(std::log10(raw)));
    const double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push_back(std::abs(t) < 1e-12 * step ? 0 : t);
    return ticks;
}

// One panel: points (x, y) scaled into rect, with ticks, grid lines and labels on both axes (y on a
// log scale when logY: ticks at 1, 2 and 5 of each decade).
void drawPanel(cv::Mat& canvas, cv::Rect rect, const std::vector<cv::Point2d>& pts, const std::string& title, bool logY,
               cv::Scalar colour) {
    const cv::Scalar ink(60, 60, 60), grid(225, 225, 225);
    cv::putText(canvas, title, {rect.x + 60, rect.y + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.5, ink, 1, cv::LINE_AA);
    const int left = 62, right = 16, top = 32, bottom = 40;
    const cv::Rect plot(rect.x + left, rect.y + top, rect.width - left - right, rect.height - top - bottom);
    cv::rectangle(canvas, plot, cv::Scalar(170, 170, 170));
    if (pts.empty()) return;
    double x0 = pts.front().x, x1 = pts.front().x, y0 = INFINITY, y1 = -INFINITY;
    auto fy = [&](double y) { return logY ? std::log10(std::max(y, 1e-12)) : y; };
    for (auto& p : pts) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, fy(p.y));
        y1 = std::max(y1, fy(p.y));
    }
    x0 = std::min(x0, 0.0);  // steps from the start: one validation is a dot at its step, not the whole axis
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y0 -= 0.5, y1 += 0.5;
    const double pad = 0.05 * (y1 - y0);  // curves off the frame
    y0 -= pad, y1 += pad;
    auto px = [&](double x) { return plot.x + int(std::lround((x - x0) / (x1 - x0) * plot.width)); };
    auto py = [&](double v) { return plot.y + plot.height - int(std::lround((v - y0) / (y1 - y0) * plot.height)); };
    char buf[64];
    for (double t : niceTicks(x0, x1, 6)) {
        if (std::abs(t - std::round(t)) > 1e-9) continue;  // steps are whole numbers: no "200 200 201"
        cv::line(canvas, {px(t), plot.y + 1}, {px(t), plot.y + plot.height - 1}, grid);
        cv::line(canvas, {px(t), plot.y + plot.height}, {px(t), plot.y + plot.height + 4}, ink);
        std::snprintf(buf, sizeof buf, "%.0f", t);
        cv::putText(canvas, buf, {px(t) - 4 * int(std::strlen(buf)), plot.y + plot.height + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.35, ink);
    }
    cv::putText(canvas, "step", {plot.x + plot.width / 2 - 14, rect.y + rect.height - 8}, cv::FONT_HERSHEY_SIMPLEX, 0.4, ink);
    std::vector<double> yValues;  // tick values (not logs)
    if (logY) {
        for (int e = int(std::floor(y0)); e <= int(std::ceil(y1)); ++e)
            for (double m : {1.0, 2.0, 5.0})
                if (const double v = e + std::log10(m); v >= y0 && v <= y1) yValues.push_back(std::pow(10, v));
        if (yValues.size() < 3) {  // less than a decade shown: evenly spaced values instead
            yValues.clear();
            for (double v : niceTicks(std::pow(10, y0), std::pow(10, y1), 4))
                if (v > 0) yValues.push_back(v);
        }
    } else {
        yValues = niceTicks(y0, y1, 5);
    }
    for (double value : yValues) {
        const double t = logY ? std::log10(value) : value;
        cv::line(canvas, {plot.x + 1, py(t)}, {plot.x + plot.width - 1, py(t)}, grid);
        cv::line(canvas, {plot.x - 4, py(t)}, {plot.x, py(t)}, ink);
        std::snprintf(buf, sizeof buf, "%.4g", value);
        cv::putText(canvas, buf, {rect.x + 4, py(t) + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.35, ink);
    }
    auto map = [&](const cv::Point2d& p) { return cv::Point(px(p.x), py(fy(p.y))); };
    for (size_t i = 1; i < pts.size(); ++i) cv::line(canvas, map(pts[i - 1]), map(pts[i]), colour, 1, cv::LINE_AA);
    if (pts.size() == 1) cv::circle(canvas, map(pts[0]), 3, colour, -1);
}

cv::Mat toBgr8(const Image& im) {
    Image rgb = im.channels == 1 ? grayToRgb(im) : im;
    std::vector<cv::Mat> planes;
    for (int c : {2, 1, 0}) {
        cv::Mat f(rgb.height, rgb.width, CV_32F, rgb.plane(c)), q;
        f.convertTo(q, CV_8U, 255.0);
        planes.push_back(q);
    }
    cv::Mat m;
    cv::merge(planes, m);
    return m;
}

void writePng(const std::string& path, const cv::Mat& m) {
    std::vector<uint8_t> buf;
    cv::imencode(".png", m, buf);
    io::writeFileAtomically(path, buf.data(), buf.size());  // a viewer never sees half a PNG
}

}  // namespace

void writePlot(const std::string& csvPath, const std::string& pngPath, const std::string& valLabel) {
    const auto rows = readLog(csvPath);
    std::vector<cv::Point2d> loss, val;
    for (const auto& r : rows) {
        if (std::isfinite(r.loss)) loss.emplace_back(double(r.step), r.loss);
        if (std::isfinite(r.val)) val.emplace_back(double(r.step), r.val);
    }
    cv::Mat canvas(360, 960, CV_8UC3, cv::Scalar(255, 255, 255));
    drawPanel(canvas, {0, 0, 480, 360}, loss, "training loss (log scale)", true, cv::Scalar(200, 90, 30));
    drawPanel(canvas, {480, 0, 480, 360}, val, "validation " + valLabel, false, cv::Scalar(30, 140, 30));
    writePng(pngPath, canvas);
}

void writePreview(const std::string& pngPath, const std::vector<std::vector<Image>>& rows) {
    if (rows.empty()) return;
    std::vector<cv::Mat> lines;
    {  // a header naming the columns
        int width = 0;
        for (const auto& im : rows.front()) width += im.width;
        cv::Mat header(22, width, CV_8UC3, cv::Scalar(255, 255, 255));
        const char* names[] = {"input", "output", "target"};
        int x = 0;
        for (size_t c = 0; c < rows.front().size(); ++c) {
            cv::putText(header, c < 3 ? names[c] : "", {x + 6, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(40, 40, 40), 1, cv::LINE_AA);
            x += rows.front()[c].width;
        }
        lines.push_back(header);
    }
    for (const auto& row : rows) {
        std::vector<cv::Mat> cells;
        for (const auto& im : row) cells.push_back(toBgr8(im));
        cv::Mat line;
        cv::hconcat(cells, line);
        lines.push_back(line);
    }
    cv::Mat grid;
    cv::vconcat(lines, grid);
    writePng(pngPath, grid);
}

}  // namespace aekit::training

namespace aekit {

void plotTrainingLog(const std::string& csvPath, const std::string& pngPath, const std::string& valLabel) {
    if (!std::filesystem::exists(csvPath)) fail(ErrorKind::InvalidArgument, csvPath + ": no such file");
    if (std::filesystem::is_directory(csvPath)) fail(ErrorKind::InvalidArgument, csvPath + ": is a folder, not a training log");
    std::ifstream f(csvPath, std::ios::binary);
    if (!f) fail(ErrorKind::Io, csvPath + ": cannot read");
    std::string header;
    std::getline(f, header);
    if (!header.empty() && header.back() == '\r') header.pop_back();
    if (header != training::kLogHeader)
        fail(ErrorKind::BadFile, csvPath + ": not a training log (its first line should be " + training::kLogHeader + ")");
    if (training::readLog(csvPath).empty()) fail(ErrorKind::BadFile, csvPath + ": the training log has no rows");
    training::writePlot(csvPath, pngPath, valLabel);
}

}  // namespace aekit
