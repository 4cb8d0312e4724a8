// SPDX-License-Identifier: Apache-2.0
// Random colour document pages (see pages.hpp). Every choice comes from the caller's generator except the
// paper's grain, drawn from OpenCV's own (cv::randn), which make_samples consumes in the same order every run.
#include "pages.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace samples {

namespace {

const char* const kWords[] = {"the",     "archive", "holds",   "letters", "from",    "1923",   "and",     "maps",
                              "of",      "old",     "harbour", "council", "minutes", "ledger", "account", "received",
                              "paid",    "total",   "March",   "station", "records", "survey", "copy",    "signed",
                              "office",  "note",    "see",     "page",    "river",   "school", "report",  "estate"};
const char* const kStampWords[] = {"FILED", "PAID", "COPY", "RECEIVED", "APPROVED", "URGENT"};
const int kFonts[] = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_PLAIN, cv::FONT_HERSHEY_COMPLEX, cv::FONT_HERSHEY_DUPLEX,
                      cv::FONT_HERSHEY_TRIPLEX, cv::FONT_HERSHEY_SIMPLEX | cv::FONT_ITALIC};

template <class T, size_t N>
const T& pick(std::mt19937& rng, const T (&items)[N]) {
    return items[rng() % N];
}
double uniform(std::mt19937& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
int between(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

std::string words(std::mt19937& rng, int count) {
    std::string s;
    for (int i = 0; i < count; ++i) s += std::string(i ? " " : "") + pick(rng, kWords);
    return s;
}

// Paper: a tone (white, cream, yellowed, grey-blue or pale green) with a soft shading and grain.
cv::Mat paper(std::mt19937& rng, int W, int H) {
    const cv::Scalar tones[] = {{250, 250, 250}, {228, 240, 246}, {196, 228, 240}, {238, 232, 226}, {226, 240, 230}};
    cv::Mat m(H, W, CV_8UC3, pick(rng, tones));
    cv::Mat shade(H, W, CV_32F);
    const double cx = uniform(rng, 0, W), cy = uniform(rng, 0, H), depth = uniform(rng, 0, 18);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) shade.at<float>(y, x) = float(-depth * std::hypot(x - cx, y - cy) / std::hypot(W, H));
    cv::Mat grain(H, W, CV_32F);
    cv::randn(grain, 0, uniform(rng, 1, 4));
    cv::Mat delta = shade + grain, out;
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    for (auto& p : planes) {
        p.convertTo(p, CV_32F);
        p += delta;
        p.convertTo(p, CV_8U);
    }
    cv::merge(planes, out);
    return out;
}

void translucent(cv::Mat& page, const std::function<void(cv::Mat&)>& draw, double opacity) {
    cv::Mat layer = page.clone();
    draw(layer);
    cv::addWeighted(page, 1 - opacity, layer, opacity, 0, page);
}

}  // namespace

void drawHandwriting(cv::Mat& page, std::mt19937& rng, cv::Point2d start, int lines, double gap, int points, double step,
                     const cv::Scalar& ink, int thickness) {
    for (int s = 0; s < lines; ++s) {
        std::vector<cv::Point> pts;
        double px = start.x, py = start.y + gap * s, a = 0;
        for (int k = 0; k < points; ++k) {
            a += (double(rng() % 200) - 100) / 300.0;
            px += step;
            py += 2.5 * std::sin(a + k * 0.6);
            pts.emplace_back(int(px), int(py));
        }
        cv::polylines(page, pts, false, ink, thickness, cv::LINE_AA);
    }
}

namespace {

// Everything printed or written on a page: ruling, heading, body text with sub-headings and
// highlighter, a tinted box, a stamp, handwriting.
void drawContent(cv::Mat& m, std::mt19937& rng) {
    const int W = m.cols, H = m.rows;
    const cv::Scalar black(30, 30, 30), blueInk(140, 50, 20), redInk(40, 40, 190), greyInk(70, 70, 70);
    const cv::Scalar headings[] = {{150, 60, 20}, {40, 40, 160}, {40, 110, 30}, {120, 40, 110}, {120, 110, 20}, {20, 20, 20}};
    const cv::Scalar bodyInks[] = {black, black, black, black, blueInk, greyInk};
    const int margin = between(rng, 16, 40);
    if (rng() % 10 < 3) {  // ruled paper: pale blue lines and a red margin
        for (int y = 60; y < H; y += 20) cv::line(m, {0, y}, {W, y}, cv::Scalar(230, 200, 170), 1, cv::LINE_AA);
        cv::line(m, {margin - 6, 0}, {margin - 6, H}, cv::Scalar(150, 150, 230), 1, cv::LINE_AA);
    }
    // Heading, sometimes underlined.
    const cv::Scalar heading = pick(rng, headings);
    const double headingScale = uniform(rng, 0.7, 1.1);
    cv::putText(m, words(rng, between(rng, 1, 3)), {margin, 40}, pick(rng, kFonts), headingScale, heading, 2, cv::LINE_AA);
    if (rng() % 2) cv::line(m, {margin, 52}, {W - margin, 52}, heading, 2, cv::LINE_AA);
    // Body text, with coloured sub-headings and highlighted phrases.
    const cv::Scalar body = pick(rng, bodyInks);
    const int font = pick(rng, kFonts);
    const double scale = uniform(rng, 0.4, 0.55);
    const int lineGap = between(rng, 17, 24);
    const cv::Scalar highlights[] = {{120, 255, 255}, {140, 255, 160}, {200, 160, 255}, {100, 190, 255}};
    for (int y = 80; y < H - 30; y += lineGap) {
        const int roll = int(rng() % 20);
        if (roll == 0) {
            cv::putText(m, words(rng, 2), {margin, y}, cv::FONT_HERSHEY_DUPLEX, 0.6, pick(rng, headings), 1, cv::LINE_AA);
            continue;
        }
        const std::string text = words(rng, between(rng, 3, 8));
        if (roll == 1) {
            const cv::Size size = cv::getTextSize(text, font, scale, 1, nullptr);
            const cv::Scalar marker = pick(rng, highlights);
            translucent(m, [&](cv::Mat& l) { cv::rectangle(l, {margin - 2, y - size.height - 3, size.width + 4, size.height + 7}, marker, cv::FILLED); }, 0.6);
        }
        cv::putText(m, text, {margin, y}, font, scale, roll == 2 ? redInk : body, 1, cv::LINE_AA);
    }
    // A coloured box (a table or a form field) on some pages.
    if (rng() % 3 == 0) {
        const cv::Rect box(between(rng, margin, W / 2), between(rng, H / 3, H / 2), between(rng, 80, W / 2), between(rng, 40, 120));
        const cv::Scalar tint = pick(rng, highlights);
        translucent(m, [&](cv::Mat& l) { cv::rectangle(l, box, tint, cv::FILLED); }, 0.25);
        cv::rectangle(m, box, pick(rng, headings), 1, cv::LINE_AA);
    }
    // Stamp: a double ring and a word, red, blue, violet or green.
    if (rng() % 2) {
        const cv::Scalar stamps[] = {{40, 40, 200}, {170, 70, 30}, {140, 40, 120}, {60, 130, 40}};
        const cv::Scalar ink = pick(rng, stamps);
        const cv::Point c(between(rng, 60, W - 60), between(rng, 80, H - 60));
        const int r = between(rng, 32, 52);
        const std::string word = pick(rng, kStampWords);
        translucent(m, [&](cv::Mat& l) {
            cv::circle(l, c, r, ink, 3, cv::LINE_AA);
            cv::circle(l, c, r - 9, ink, 1, cv::LINE_AA);
            const double s = 0.5 * r / 48.0 * 1.4;
            const cv::Size size = cv::getTextSize(word, cv::FONT_HERSHEY_DUPLEX, s, 2, nullptr);
            cv::putText(l, word, {c.x - size.width / 2, c.y + size.height / 2}, cv::FONT_HERSHEY_DUPLEX, s, ink, 2, cv::LINE_AA);
        }, uniform(rng, 0.6, 0.95));
    }
    // Handwriting in blue or black ink.
    const int written = between(rng, 0, 4);
    if (written > 0)
        drawHandwriting(m, rng, {double(margin), double(between(rng, H / 2, H - 30 * written))}, written, 22, between(rng, 60, 140),
                        uniform(rng, 1.4, 2.2), rng() % 3 ? blueInk : black, 2);
}

// Stains: translucent brown rings and blobs.
void drawStains(cv::Mat& m, std::mt19937& rng, int most) {
    const int W = m.cols, H = m.rows;
    for (int k = between(rng, 0, most); k > 0; --k) {
        const cv::Point c(between(rng, 0, W), between(rng, 0, H));
        const cv::Scalar brown(between(rng, 50, 90), between(rng, 100, 140), between(rng, 150, 180));
        translucent(m, [&](cv::Mat& l) {
            if (rng() % 2)
                cv::circle(l, c, between(rng, 20, 50), brown, between(rng, 3, 8), cv::LINE_AA);
            else
                cv::ellipse(l, c, {between(rng, 15, 40), between(rng, 10, 25)}, uniform(rng, 0, 180), 0, 360, brown, cv::FILLED, cv::LINE_AA);
        }, uniform(rng, 0.2, 0.4));
    }
}

// A fold: a straight crease across the page, a dark line with a soft shadow on one side.
void drawFold(cv::Mat& shade, std::mt19937& rng) {
    const int W = shade.cols, H = shade.rows;
    const bool across = rng() % 2;
    const double at = uniform(rng, 0.25, 0.75) * (across ? H : W), tilt = uniform(rng, -0.04, 0.04);
    const double depth = uniform(rng, 0.08, 0.25), width = uniform(rng, 3, 12), side = rng() % 2 ? 1 : -1;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            const double d = across ? y - (at + tilt * x) : x - (at + tilt * y);
            double f = std::abs(d) < 1 ? 1 - depth : 1;  // the crease itself
            if (d * side > 0) f *= 1 - 0.5 * depth * std::exp(-std::abs(d) / width);  // its shadow
            shade.at<float>(y, x) *= float(f);
        }
}

// Labels from the marks drawn alone on white paper and the page before and after its stains.
cv::Mat pageLabels(const cv::Mat& marksOnWhite, const cv::Mat& unstained, const cv::Mat& page) {
    cv::Mat lab;
    marksOnWhite.convertTo(lab, CV_32FC3, 1.0 / 255);
    cv::cvtColor(lab, lab, cv::COLOR_BGR2Lab);  // L 0-100, a and b in Lab units
    cv::Mat diff;
    cv::absdiff(page, unstained, diff);
    cv::Mat labels(page.size(), CV_8U);
    for (int y = 0; y < page.rows; ++y)
        for (int x = 0; x < page.cols; ++x) {
            const cv::Vec3b w = marksOnWhite.at<cv::Vec3b>(y, x), d = diff.at<cv::Vec3b>(y, x);
            const cv::Vec3f c = lab.at<cv::Vec3f>(y, x);
            const double chroma = std::hypot(c[1], c[2]);
            unsigned char label = kOtherLabel;  // under a stain, or neither paper nor a clear mark
            if (std::max({d[0], d[1], d[2]}) <= 2) {
                if (std::min({w[0], w[1], w[2]}) >= 250)
                    label = kPaperLabel;
                else if (chroma >= 15)
                    label = kColouredMarkLabel;
                else if (c[0] < 60)
                    label = kNeutralInkLabel;
            }
            labels.at<unsigned char>(y, x) = label;
        }
    return labels;
}

}  // namespace

cv::Mat randomPage(std::mt19937& rng, cv::Mat* labels) {
    const int W = between(rng, 320, 512), H = between(rng, 400, 640);
    cv::Mat m = paper(rng, W, H);
    std::mt19937 twin = rng;  // drawContent's draws never depend on pixels: the twin draws the same marks
    drawContent(m, rng);
    const cv::Mat unstained = labels ? m.clone() : cv::Mat();
    drawStains(m, rng, 2);
    if (labels) {
        cv::Mat white(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
        drawContent(white, twin);
        *labels = pageLabels(white, unstained, m);
    }
    return m;
}

ScanPair randomScanPair(std::mt19937& rng) {
    const int W = between(rng, 320, 512), H = between(rng, 400, 640);
    // What the cleaner should return: the marks on white paper, grey.
    cv::Mat white(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
    drawContent(white, rng);
    ScanPair pair;
    cv::cvtColor(white, pair.clean, cv::COLOR_BGR2GRAY);
    pair.ink = pair.clean < 242;  // darker than the paper by more than 5%: a mark
    // The scan: the same marks on aged paper (ink absorbs: reflectances multiply), with the
    // reverse side's marks showing through, stains and coffee rings, a fold, uneven lighting,
    // then the scanner's blur and noise.
    cv::Mat aged = paper(rng, W, H);
    cv::Mat back(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
    drawContent(back, rng);
    cv::flip(back, back, 1);
    cv::GaussianBlur(back, back, {0, 0}, uniform(rng, 1.0, 2.5));
    cv::Mat scan;
    cv::multiply(aged, white, scan, 1.0 / 255);
    cv::Mat through;
    cv::multiply(scan, back, through, 1.0 / 255);
    const double showThrough = uniform(rng, 0.0, 0.3);
    cv::addWeighted(scan, 1 - showThrough, through, showThrough, 0, scan);
    drawStains(scan, rng, 4);
    cv::Mat grey;
    cv::cvtColor(scan, grey, cv::COLOR_BGR2GRAY);
    cv::Mat light(H, W, CV_32F, cv::Scalar(1.0));
    if (rng() % 3) drawFold(light, rng);
    const double fall = uniform(rng, 0, 0.15);  // lighting falling off toward one edge
    const bool vertical = rng() % 2;
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) light.at<float>(y, x) *= float(1 - fall * (vertical ? double(y) / H : double(x) / W));
    cv::Mat g;
    grey.convertTo(g, CV_32F);
    g = g.mul(light);
    cv::GaussianBlur(g, g, {0, 0}, uniform(rng, 0.3, 0.8));
    cv::Mat noise(H, W, CV_32F);
    cv::RNG(rng()).fill(noise, cv::RNG::NORMAL, 0, uniform(rng, 1, 6));
    g += noise;
    g.convertTo(pair.scanned, CV_8U);
    return pair;
}

}  // namespace samples
