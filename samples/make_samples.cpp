// SPDX-License-Identifier: Apache-2.0
// Makes aekit's sample images from nothing but code (no third-party pictures): a colourful scene,
// a texture-rich scene and a document page (coloured headings, text, a stamp, handwriting-like
// strokes and stains). Deterministic: the same program writes the same pixels.
// usage: make_samples OUTDIR   (writes OUTDIR/clean/{scene,texture,document}.png and grey versions of
// the scene and the document in OUTDIR/gray/, inputs for colorize)
//        make_samples --large WxH FILE   (a large photo-sized image for speed and memory benchmarks)
//        make_samples --fabric OUTDIR COUNT SEED   (textures with and without defects: anomaly benchmark)
//        make_samples --pages OUTDIR COUNT SEED [LABELDIR]   (random colour document pages: colorize training data;
//                                                             with LABELDIR, each page's label map for aekit eval --mask)
//        make_samples --scans OUTDIR COUNT SEED   (grey scan/clean pairs and ink masks: document cleaner data)
//        make_samples --strip OUT.png IN.png...   (images side by side, 4 px apart: README's before/after pictures)
//        make_samples --grid OUT COLS HEIGHT IN...   (rows of COLS images, each scaled to HEIGHT px high, 4 px apart;
//                                                     an IN written grey:FILE is shown in grey)
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pages.hpp"

namespace {

cv::Mat scene() {
    const int W = 384, H = 256;
    cv::Mat m(H, W, CV_8UC3);
    for (int y = 0; y < H; ++y)  // sky: gradient from deep blue to warm horizon
        for (int x = 0; x < W; ++x) {
            const double t = double(y) / H;
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uchar>(230 - 80 * t), cv::saturate_cast<uchar>(150 + 60 * t),
                                              cv::saturate_cast<uchar>(60 + 170 * t));
        }
    cv::circle(m, {300, 60}, 30, cv::Scalar(40, 200, 255), cv::FILLED, cv::LINE_AA);  // sun
    std::vector<cv::Point> hill1{{0, 180}, {90, 130}, {200, 170}, {300, 120}, {384, 160}, {384, 256}, {0, 256}};
    cv::fillPoly(m, std::vector<std::vector<cv::Point>>{hill1}, cv::Scalar(60, 150, 70), cv::LINE_AA);
    std::vector<cv::Point> hill2{{0, 220}, {120, 190}, {260, 215}, {384, 195}, {384, 256}, {0, 256}};
    cv::fillPoly(m, std::vector<std::vector<cv::Point>>{hill2}, cv::Scalar(40, 110, 50), cv::LINE_AA);
    const cv::Scalar walls[3] = {{60, 60, 200}, {200, 200, 240}, {50, 170, 230}};
    for (int i = 0; i < 3; ++i) {  // houses with roofs, doors and windows
        const int x = 40 + i * 110, y = 165 + (i % 2) * 12;
        cv::rectangle(m, {x, y, 60, 45}, walls[i], cv::FILLED);
        std::vector<cv::Point> roof{{x - 6, y}, {x + 30, y - 28}, {x + 66, y}};
        cv::fillPoly(m, std::vector<std::vector<cv::Point>>{roof}, cv::Scalar(30, 40, 140), cv::LINE_AA);
        cv::rectangle(m, {x + 24, y + 20, 12, 25}, cv::Scalar(30, 60, 100), cv::FILLED);
        cv::rectangle(m, {x + 6, y + 8, 12, 10}, cv::Scalar(250, 230, 160), cv::FILLED);
        cv::rectangle(m, {x + 42, y + 8, 12, 10}, cv::Scalar(250, 230, 160), cv::FILLED);
    }
    for (int i = 0; i < 5; ++i) {  // trees
        const int x = 20 + i * 85, y = 200 + (i % 3) * 10;
        cv::rectangle(m, {x - 3, y, 6, 22}, cv::Scalar(30, 70, 110), cv::FILLED);
        cv::circle(m, {x, y - 8}, 14, cv::Scalar(40, 140 + 15 * (i % 3), 40), cv::FILLED, cv::LINE_AA);
    }
    for (int i = 0; i < 3; ++i)  // balloons
        cv::ellipse(m, {70 + i * 40, 50 + 10 * i}, {9, 12}, 0, 0, 360, cv::Scalar(255 * (i == 0), 255 * (i == 1), 255), cv::FILLED,
                    cv::LINE_AA);
    return m;
}

cv::Mat texture() {
    const int W = 384, H = 256;
    cv::Mat m(H, W, CV_8UC3);
    std::mt19937 rng(7);
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            cv::Vec3b v;
            if (x < 128) {  // sine gratings of rising frequency
                const double f = 0.05 + 0.4 * y / H;
                v = cv::Vec3b(cv::saturate_cast<uchar>(128 + 100 * std::sin(f * x)), cv::saturate_cast<uchar>(128 + 100 * std::cos(f * x * 0.7)),
                              cv::saturate_cast<uchar>(128 + 90 * std::sin(f * (x + y))));
            } else if (x < 256) {  // checkerboards of several sizes
                const int s = 2 + (y / 64) * 3;
                const bool on = ((x / s) + (y / s)) % 2;
                v = on ? cv::Vec3b(40, 200, 230) : cv::Vec3b(120, 30, 80);
            } else {  // fine stripes and coloured noise
                const int band = y / 32;
                v = band % 2 ? cv::Vec3b(uchar(rng() % 256), uchar(rng() % 256), uchar(rng() % 256))
                             : cv::Vec3b(uchar(((x + band) % (2 + band)) ? 230 : 20), uchar(100 + band * 15), uchar(200 - band * 20));
            }
            m.at<cv::Vec3b>(y, x) = v;
        }
    cv::putText(m, "aekit 0123", {140, 240}, cv::FONT_HERSHEY_SIMPLEX, 0.7, cv::Scalar(255, 255, 255), 2, cv::LINE_AA);
    return m;
}

cv::Mat document() {
    const int W = 384, H = 512;
    cv::Mat m(H, W, CV_8UC3, cv::Scalar(228, 240, 246));  // off-white paper
    std::mt19937 rng(11);
    cv::putText(m, "Annual Report", {24, 44}, cv::FONT_HERSHEY_DUPLEX, 1.0, cv::Scalar(150, 60, 20), 2, cv::LINE_AA);
    cv::line(m, {24, 56}, {360, 56}, cv::Scalar(150, 60, 20), 2, cv::LINE_AA);
    const char* words[] = {"the", "archive", "holds", "letters", "from", "1923", "and", "maps", "of", "the", "old", "harbour"};
    int y = 84;
    for (int line = 0; line < 16; ++line) {
        if (line == 7) {
            cv::putText(m, "Section 2: Findings", {24, y + 6}, cv::FONT_HERSHEY_DUPLEX, 0.7, cv::Scalar(40, 40, 190), 1, cv::LINE_AA);
            y += 30;
            continue;
        }
        std::string text;
        for (int w = 0; w < 6; ++w) text += std::string(words[rng() % 12]) + " ";
        cv::putText(m, text, {24, y}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(30, 30, 30), 1, cv::LINE_AA);
        y += 20;
    }
    cv::rectangle(m, {24, y - 12, 150, 14}, cv::Scalar(120, 255, 255), cv::FILLED);  // highlighter
    cv::putText(m, "key result: 42%", {26, y}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(30, 30, 30), 1, cv::LINE_AA);
    // A red stamp: double ring and text.
    cv::circle(m, {300, 420}, 48, cv::Scalar(40, 40, 200), 3, cv::LINE_AA);
    cv::circle(m, {300, 420}, 38, cv::Scalar(40, 40, 200), 1, cv::LINE_AA);
    cv::putText(m, "FILED", {265, 428}, cv::FONT_HERSHEY_DUPLEX, 0.7, cv::Scalar(40, 40, 200), 2, cv::LINE_AA);
    // Handwriting-like strokes in blue ink: smooth random curves.
    samples::drawHandwriting(m, rng, {30, 430}, 3, 22, 120, 1.6, cv::Scalar(150, 50, 20), 2);
    // Coffee stains: translucent brown rings and blobs.
    cv::Mat stain = m.clone();
    cv::circle(stain, {90, 250}, 40, cv::Scalar(60, 110, 160), 6, cv::LINE_AA);
    cv::ellipse(stain, {320, 140}, {30, 18}, 30, 0, 360, cv::Scalar(80, 130, 170), cv::FILLED, cv::LINE_AA);
    cv::addWeighted(m, 0.65, stain, 0.35, 0, m);
    return m;
}

}  // namespace

// A woven-fabric-like grey texture, 128x128: two crossed gratings with a random phase, period and
// slight rotation, plus fine grain; with `defect`, one flaw: a scratch, a stain or a hole.
cv::Mat fabric(std::mt19937& rng, bool defect) {
    std::uniform_real_distribution<double> u(0, 1);
    const int S = 128;
    const double period = 7 + 3 * u(rng), angle = (u(rng) - 0.5) * 0.3, px = u(rng) * 6.28, py = u(rng) * 6.28;
    cv::Mat f(S, S, CV_32F);
    std::normal_distribution<float> grain(0.f, 0.03f);
    for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x) {
            const double xr = x * std::cos(angle) - y * std::sin(angle), yr = x * std::sin(angle) + y * std::cos(angle);
            f.at<float>(y, x) = float(0.5 + 0.18 * std::sin(6.283 * xr / period + px) +
                                      0.18 * std::sin(6.283 * yr / period + py)) + grain(rng);
        }
    if (defect) {
        const cv::Point c(int(20 + u(rng) * 88), int(20 + u(rng) * 88));
        const int kind = int(u(rng) * 3);
        if (kind == 0) {  // scratch: a thin bright line
            const double a = u(rng) * 3.14, len = 15 + 20 * u(rng);
            const cv::Point d(int(len * std::cos(a)), int(len * std::sin(a)));
            cv::line(f, c - d, c + d, cv::Scalar(0.95), 2, cv::LINE_AA);
        } else if (kind == 1) {  // stain: a dark, soft ellipse
            cv::Mat stain = cv::Mat::zeros(S, S, CV_32F);
            cv::ellipse(stain, c, {int(6 + 8 * u(rng)), int(4 + 6 * u(rng))}, u(rng) * 180, 0, 360, cv::Scalar(1), -1);
            cv::GaussianBlur(stain, stain, {0, 0}, 2.0);
            f = f.mul(1 - 0.5 * stain);
        } else {  // hole: a flat patch without weave
            cv::circle(f, c, int(4 + 5 * u(rng)), cv::Scalar(0.15), -1, cv::LINE_AA);
        }
    }
    cv::Mat out;
    f.convertTo(out, CV_8U, 255.0);
    return out;
}

namespace {

// A colour picture for --strip and --grid; empty (and said) when it cannot be read.
cv::Mat readPicture(const std::string& path) {
    cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);
    if (m.empty()) std::fprintf(stderr, "make_samples: %s: cannot read\n", path.c_str());
    return m;
}

// Pictures left to right, 4 px of white between them, top-aligned on white as high as the highest.
cv::Mat sideBySide(const std::vector<cv::Mat>& parts) {
    int height = 0;
    for (const cv::Mat& p : parts) height = std::max(height, p.rows);
    cv::Mat out(height, 0, CV_8UC3);
    for (size_t i = 0; i < parts.size(); ++i) {
        cv::Mat part(height, parts[i].cols + (i ? 4 : 0), CV_8UC3, cv::Scalar(255, 255, 255));
        parts[i].copyTo(part(cv::Rect(i ? 4 : 0, 0, parts[i].cols, parts[i].rows)));
        cv::hconcat(out, part, out);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 5 && std::string(argv[1]) == "--fabric") {
        // make_samples --fabric OUTDIR COUNT SEED: COUNT normal textures in OUTDIR/normal and as many
        // with one defect in OUTDIR/defect (the anomaly benchmark's data).
        const std::string dir = argv[2];
        const int count = std::atoi(argv[3]);
        std::mt19937 rng(static_cast<unsigned>(std::atoi(argv[4])));
        std::error_code ec;
        std::filesystem::create_directories(dir + "/normal", ec);
        std::filesystem::create_directories(dir + "/defect", ec);
        bool ok = count > 0;
        for (int i = 0; ok && i < count; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "/%04d.png", i);
            ok = cv::imwrite(dir + "/normal" + name, fabric(rng, false)) && cv::imwrite(dir + "/defect" + name, fabric(rng, true));
        }
        if (!ok) std::fprintf(stderr, "make_samples: cannot write fabric into %s/normal and %s/defect\n", dir.c_str(), dir.c_str());
        return ok ? 0 : 1;
    }
    if ((argc == 5 || argc == 6) && std::string(argv[1]) == "--pages") {
        const std::string dir = argv[2], labelDir = argc == 6 ? argv[5] : "";
        const int count = std::atoi(argv[3]);
        std::mt19937 rng(static_cast<unsigned>(std::atoi(argv[4])));
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (!labelDir.empty()) std::filesystem::create_directories(labelDir, ec);
        bool ok = count > 0;
        for (int i = 0; ok && i < count; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "/page-%04d.png", i);
            cv::Mat labels;
            ok = cv::imwrite(dir + name, samples::randomPage(rng, labelDir.empty() ? nullptr : &labels)) &&
                 (labelDir.empty() || cv::imwrite(labelDir + name, labels));
        }
        if (!ok) std::fprintf(stderr, "make_samples: cannot write pages into %s%s%s\n", dir.c_str(), labelDir.empty() ? "" : " and ",
                              labelDir.c_str());
        return ok ? 0 : 1;
    }
    if (argc == 5 && std::string(argv[1]) == "--scans") {
        const std::string dir = argv[2];
        const int count = std::atoi(argv[3]);
        std::mt19937 rng(static_cast<unsigned>(std::atoi(argv[4])));
        std::error_code ec;
        for (const char* sub : {"/noisy", "/clean", "/ink"}) std::filesystem::create_directories(dir + sub, ec);
        bool ok = count > 0;
        for (int i = 0; ok && i < count; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "/page-%04d.png", i);
            const samples::ScanPair p = samples::randomScanPair(rng);
            ok = cv::imwrite(dir + "/noisy" + name, p.scanned) && cv::imwrite(dir + "/clean" + name, p.clean) &&
                 cv::imwrite(dir + "/ink" + name, p.ink);
        }
        if (!ok) std::fprintf(stderr, "make_samples: cannot write scans into %s/{noisy,clean,ink}\n", dir.c_str());
        return ok ? 0 : 1;
    }
    if (argc >= 6 && std::string(argv[1]) == "--grid") {
        const int cols = std::atoi(argv[3]), height = std::atoi(argv[4]);
        if (cols < 1 || height < 8) {
            std::fprintf(stderr, "make_samples: --grid needs COLS >= 1 and HEIGHT >= 8\n");
            return 2;
        }
        std::vector<cv::Mat> rows;
        for (int i = 5; i < argc; i += cols) {
            std::vector<cv::Mat> parts;
            for (int j = i; j < std::min(argc, i + cols); ++j) {
                const std::string arg = argv[j];
                const bool grey = arg.rfind("grey:", 0) == 0;  // shown in grey (the input a colorizer sees)
                cv::Mat m = readPicture(grey ? arg.substr(5) : arg);
                if (m.empty()) return 1;
                if (grey) {
                    cv::cvtColor(m, m, cv::COLOR_BGR2GRAY);
                    cv::cvtColor(m, m, cv::COLOR_GRAY2BGR);
                }
                cv::resize(m, m, cv::Size(std::max(1, int(std::lround(double(m.cols) * height / m.rows))), height), 0, 0,
                           cv::INTER_AREA);
                parts.push_back(m);
            }
            rows.push_back(sideBySide(parts).t());  // transposed: side by side, then back, is one above the other
        }
        return cv::imwrite(argv[2], cv::Mat(sideBySide(rows).t())) ? 0 : 1;
    }
    if (argc >= 4 && std::string(argv[1]) == "--strip") {
        std::vector<cv::Mat> parts;
        for (int i = 3; i < argc; ++i) {
            parts.push_back(readPicture(argv[i]));
            if (parts.back().empty()) return 1;
        }
        cv::Mat strip = sideBySide(parts);
        // Grey when every part is (a third of the file).
        std::vector<cv::Mat> bgr;
        cv::split(strip, bgr);
        if (cv::countNonZero(bgr[0] != bgr[1]) == 0 && cv::countNonZero(bgr[1] != bgr[2]) == 0) strip = bgr[0];
        return cv::imwrite(argv[2], strip) ? 0 : 1;
    }
    if (argc == 4 && std::string(argv[1]) == "--large") {
        int W = 0, H = 0;
        if (std::sscanf(argv[2], "%dx%d", &W, &H) != 2 || W < 16 || H < 16) {
            std::fprintf(stderr, "make_samples: --large needs WxH, e.g. 6000x4000\n");
            return 2;
        }
        // The scene enlarged, with the texture tiled over it at a low weight: smooth areas and detail.
        cv::Mat big, tex, tiled;
        cv::resize(scene(), big, {W, H}, 0, 0, cv::INTER_CUBIC);
        cv::repeat(texture(), H / 256 + 1, W / 384 + 1, tex);
        cv::addWeighted(big, 0.8, tex(cv::Rect(0, 0, W, H)), 0.2, 0, big);
        return cv::imwrite(argv[3], big) ? 0 : 1;
    }
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_samples OUTDIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    auto gray = [](const cv::Mat& m) {
        cv::Mat g;
        cv::cvtColor(m, g, cv::COLOR_BGR2GRAY);
        return g;
    };
    const cv::Mat s = scene(), t = texture(), d = document();
    const bool ok = cv::imwrite(dir + "/clean/scene.png", s) && cv::imwrite(dir + "/clean/texture.png", t) &&
                    cv::imwrite(dir + "/clean/document.png", d) && cv::imwrite(dir + "/gray/scene.png", gray(s)) &&
                    cv::imwrite(dir + "/gray/document.png", gray(d));
    if (!ok) std::fprintf(stderr, "make_samples: cannot write into %s\n", dir.c_str());
    return ok ? 0 : 1;
}
