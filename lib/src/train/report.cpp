// SPDX-License-Identifier: Apache-2.0
// CSV log, curve plot and preview grid (see report.hpp). Drawing with OpenCV.
#include "train/report.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aekit/color.hpp"
#include "aekit/error.hpp"
#include "aekit/output_files.hpp"
#include "io/atomic_file.hpp"

namespace aekit::training {

void appendLog(const std::string& csvPath, const LogRow& r) {
    // The whole log is rewritten atomically: a crash never leaves half a row, a full disk is reported.
    std::string text;
    if (std::filesystem::exists(csvPath)) {
        std::ifstream in(csvPath, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), {});
        if (!in.good() && !in.eof()) fail(ErrorKind::Io, csvPath + ": cannot read the training log");
        if (!text.empty() && text.back() != '\n') text += '\n';
    }
    if (text.empty()) text = "step,loss,lr,patches_per_s,val,seconds\n";
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

// One panel: points (x, y) scaled into rect, with axis labels.
void drawPanel(cv::Mat& canvas, cv::Rect rect, const std::vector<cv::Point2d>& pts, const std::string& title, bool logY,
               cv::Scalar colour) {
    cv::rectangle(canvas, rect, cv::Scalar(200, 200, 200));
    cv::putText(canvas, title, {rect.x + 8, rect.y + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(40, 40, 40), 1,
                cv::LINE_AA);
    if (pts.size() < 1) return;
    double x0 = pts.front().x, x1 = pts.front().x, y0 = INFINITY, y1 = -INFINITY;
    auto fy = [&](double y) { return logY ? std::log10(std::max(y, 1e-12)) : y; };
    for (auto& p : pts) {
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, fy(p.y));
        y1 = std::max(y1, fy(p.y));
    }
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + 1e-6;
    const int m = 40;
    auto map = [&](const cv::Point2d& p) {
        return cv::Point(rect.x + m + static_cast<int>((p.x - x0) / (x1 - x0) * (rect.width - 2 * m)),
                         rect.y + rect.height - m - static_cast<int>((fy(p.y) - y0) / (y1 - y0) * (rect.height - 2 * m)));
    };
    for (size_t i = 1; i < pts.size(); ++i) cv::line(canvas, map(pts[i - 1]), map(pts[i]), colour, 1, cv::LINE_AA);
    if (pts.size() == 1) cv::circle(canvas, map(pts[0]), 3, colour, -1);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.4g", logY ? std::pow(10, y1) : y1);
    cv::putText(canvas, buf, {rect.x + 4, rect.y + m - 4}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(80, 80, 80));
    std::snprintf(buf, sizeof buf, "%.4g", logY ? std::pow(10, y0) : y0);
    cv::putText(canvas, buf, {rect.x + 4, rect.y + rect.height - m + 14}, cv::FONT_HERSHEY_SIMPLEX, 0.4,
                cv::Scalar(80, 80, 80));
    std::snprintf(buf, sizeof buf, "step %.0f .. %.0f", x0, x1);
    cv::putText(canvas, buf, {rect.x + m, rect.y + rect.height - 8}, cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(80, 80, 80));
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
