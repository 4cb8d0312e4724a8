// SPDX-License-Identifier: Apache-2.0
// Noise statistics from an image's flattest blocks (see aekit/noise_stats.hpp). Plain loops: a
// block is small, and every figure is a sum of products of residuals.
#include "aekit/noise_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "aekit/error.hpp"

namespace aekit {

namespace {

// Residuals of one block after a least-squares plane per channel: residual[c][i * B + j].
struct Block {
    double brightness = 0;  // luma of the block's mean
    double variance = 0;    // mean squared residual over channels
    std::vector<std::vector<double>> residual;
};

Block fitBlock(const Image& im, int x0, int y0, int B) {
    Block b;
    b.residual.assign(size_t(im.channels), std::vector<double>(size_t(B) * B));
    const double centre = (B - 1) / 2.0;
    double sxx = 0;  // sum of (x - centre)^2 over the block (the same for y)
    for (int j = 0; j < B; ++j) sxx += (j - centre) * (j - centre) * B;
    std::vector<double> means(size_t(im.channels));
    for (int c = 0; c < im.channels; ++c) {
        const float* p = im.plane(c);
        double sum = 0, sx = 0, sy = 0;
        for (int i = 0; i < B; ++i)
            for (int j = 0; j < B; ++j) {
                const double v = p[int64_t(y0 + i) * im.width + x0 + j];
                sum += v;
                sx += v * (j - centre);
                sy += v * (i - centre);
            }
        const double mean = sum / (B * B), gx = sx / sxx, gy = sy / sxx;
        means[size_t(c)] = mean;
        double sq = 0;
        for (int i = 0; i < B; ++i)
            for (int j = 0; j < B; ++j) {
                const double r = p[int64_t(y0 + i) * im.width + x0 + j] - mean - gx * (j - centre) - gy * (i - centre);
                b.residual[size_t(c)][size_t(i * B + j)] = r;
                sq += r * r;
            }
        b.variance += sq / (B * B) / im.channels;
    }
    b.brightness = im.channels == 3 ? 0.299 * means[0] + 0.587 * means[1] + 0.114 * means[2] : means[0];
    return b;
}

// JPEG's YCbCr of residuals (linear, so it applies to noise as to pixels).
void toYCbCr(const Block& b, int B, std::vector<double>& y, std::vector<double>& cb, std::vector<double>& cr) {
    const size_t n = size_t(B) * B;
    y.resize(n);
    cb.resize(n);
    cr.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const double r = b.residual[0][i], g = b.residual[1][i], bl = b.residual[2][i];
        y[i] = 0.299 * r + 0.587 * g + 0.114 * bl;
        cb[i] = 0.564 * (bl - y[i]);
        cr[i] = 0.713 * (r - y[i]);
    }
}

// Accumulates sum a(x) a(x + k) and the matching energies, horizontally and vertically, for k = 1..kMaxLag.
struct Autocorrelation {
    std::array<double, NoiseStats::kMaxLag> cross{}, energy{};
    void add(const std::vector<double>& a, int B) {
        for (int k = 1; k <= NoiseStats::kMaxLag; ++k)
            for (int i = 0; i < B; ++i)
                for (int j = 0; j + k < B; ++j) {
                    const double h0 = a[size_t(i * B + j)], h1 = a[size_t(i * B + j + k)];
                    const double v0 = a[size_t(j * B + i)], v1 = a[size_t((j + k) * B + i)];
                    cross[size_t(k - 1)] += h0 * h1 + v0 * v1;
                    energy[size_t(k - 1)] += 0.5 * (h0 * h0 + h1 * h1 + v0 * v0 + v1 * v1);
                }
    }
    std::array<double, NoiseStats::kMaxLag> value() const {
        std::array<double, NoiseStats::kMaxLag> out{};
        for (size_t k = 0; k < out.size(); ++k) out[k] = energy[k] > 0 ? cross[k] / energy[k] : 0;
        return out;
    }
};

}  // namespace

NoiseStats measureNoise(const Image& noisy, const NoiseStatsOptions& o, const Image* reference) {
    const int B = o.block;
    if (B < 2 * NoiseStats::kMaxLag || B > 4096 || !(o.flatQuantile > 0 && o.flatQuantile <= 1))  // NaN fails too
        fail(ErrorKind::InvalidArgument, "noise statistics: --block must be " + std::to_string(2 * NoiseStats::kMaxLag) +
                                             " to 4096 and --flat-quantile in (0, 1]");
    if (reference && (reference->width != noisy.width || reference->height != noisy.height ||
                      reference->channels != noisy.channels))
        fail(ErrorKind::InvalidArgument, "noise statistics: the reference is " + std::to_string(reference->width) + "x" +
                                             std::to_string(reference->height) + "x" + std::to_string(reference->channels) +
                                             ", the image " + std::to_string(noisy.width) + "x" +
                                             std::to_string(noisy.height) + "x" + std::to_string(noisy.channels));
    // With a reference the noise is known exactly (image - reference); flatness and brightness are the reference's.
    Image difference;
    if (reference) {
        difference = noisy;
        for (size_t i = 0; i < difference.pixels.size(); ++i) difference.pixels[i] -= reference->pixels[i];
    }
    const Image& im = reference ? difference : noisy;
    const int bx = im.width / B, by = im.height / B;
    if (bx * by < 2)
        fail(ErrorKind::InvalidArgument, "noise statistics need an image of at least two " + std::to_string(B) + "x" +
                                             std::to_string(B) + " blocks; this one is " + std::to_string(im.width) +
                                             "x" + std::to_string(im.height));
    std::vector<Block> blocks;
    blocks.reserve(size_t(bx) * by);
    for (int y = 0; y < by; ++y)
        for (int x = 0; x < bx; ++x) {
            blocks.push_back(fitBlock(im, x * B, y * B, B));
            if (reference) {
                const Block clean = fitBlock(*reference, x * B, y * B, B);
                blocks.back().variance = clean.variance;
                blocks.back().brightness = clean.brightness;
            }
        }

    // The flattest blocks of each brightness bin.
    std::vector<std::vector<size_t>> bins(NoiseStats::kBins);
    for (size_t i = 0; i < blocks.size(); ++i) {
        const int bin = std::clamp(int(blocks[i].brightness * NoiseStats::kBins), 0, NoiseStats::kBins - 1);
        bins[size_t(bin)].push_back(i);
    }
    NoiseStats s;
    const int C = im.channels;
    const double dof = double(B * B) / (B * B - 3);  // the plane took 3 degrees of freedom per channel
    std::vector<double> sumSq(size_t(C), 0);
    double count = 0;
    Autocorrelation luma, chroma;
    std::array<double, 3> crossRG{}, energy{};  // channel products RG, RB, GB; energies R, G, B
    double varY = 0, varC = 0;
    std::vector<double> y, cb, cr;
    for (int bin = 0; bin < NoiseStats::kBins; ++bin) {
        auto& members = bins[size_t(bin)];
        if (members.empty()) continue;
        std::sort(members.begin(), members.end(),
                  [&](size_t a, size_t b) { return blocks[a].variance < blocks[b].variance; });
        const size_t keep = std::max<size_t>(1, size_t(std::ceil(o.flatQuantile * double(members.size()))));
        NoiseStats::Level level;
        std::vector<double> binSq(size_t(C), 0);
        double brightness = 0;
        for (size_t m = 0; m < keep; ++m) {
            const Block& b = blocks[members[m]];
            brightness += b.brightness;
            for (int c = 0; c < C; ++c) {
                double sq = 0;
                for (double r : b.residual[size_t(c)]) sq += r * r;
                binSq[size_t(c)] += sq;
                sumSq[size_t(c)] += sq;
            }
            count += B * B;
            if (C == 3) {
                toYCbCr(b, B, y, cb, cr);
                luma.add(y, B);
                chroma.add(cb, B);
                chroma.add(cr, B);
                for (size_t i = 0; i < y.size(); ++i) {
                    const double r = b.residual[0][i], g = b.residual[1][i], bl = b.residual[2][i];
                    crossRG[0] += r * g;
                    crossRG[1] += r * bl;
                    crossRG[2] += g * bl;
                    energy[0] += r * r;
                    energy[1] += g * g;
                    energy[2] += bl * bl;
                    varY += y[i] * y[i];
                    varC += cb[i] * cb[i] + cr[i] * cr[i];
                }
            } else {
                luma.add(b.residual[0], B);
            }
        }
        level.blocks = int(keep);
        level.brightness = brightness / double(keep);
        for (int c = 0; c < C; ++c)
            level.sigma.push_back(255.0 * std::sqrt(dof * binSq[size_t(c)] / (double(keep) * B * B)));
        s.levels.push_back(level);
        s.blocks += int(keep);
    }
    for (int c = 0; c < C; ++c) {
        s.sigmaPerChannel.push_back(255.0 * std::sqrt(dof * sumSq[size_t(c)] / count));
        s.sigma += s.sigmaPerChannel.back() / C;
    }
    s.lumaCorrelation = luma.value();
    if (C == 3) {
        s.chromaCorrelation = chroma.value();
        const double e[3] = {energy[0], energy[1], energy[2]};
        const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
        for (int k = 0; k < 3; ++k) {
            const double d = std::sqrt(e[pairs[k][0]] * e[pairs[k][1]]);
            s.channelCorrelation[size_t(k)] = d > 0 ? crossRG[size_t(k)] / d : 0;
        }
        s.chromaShare = varY + varC > 0 ? varC / (varY + varC) : 0;
    }
    return s;
}

std::string describe(const NoiseStats& s) {
    std::ostringstream os;
    char buf[160];
    std::snprintf(buf, sizeof buf, "sigma %.2f (0-255) from %d flat blocks", s.sigma, s.blocks);
    os << buf;
    if (s.sigmaPerChannel.size() == 3) {
        std::snprintf(buf, sizeof buf, "; R %.2f G %.2f B %.2f", s.sigmaPerChannel[0], s.sigmaPerChannel[1],
                      s.sigmaPerChannel[2]);
        os << buf;
    }
    if (!s.levels.empty()) os << "\n  level against brightness:";
    for (const auto& l : s.levels) {
        std::snprintf(buf, sizeof buf, " %.2f:%.2f", l.brightness, [&] {
            double m = 0;
            for (double v : l.sigma) m += v / double(l.sigma.size());
            return m;
        }());
        os << buf;
    }
    os << "\n  neighbour correlation, luma:";
    for (double v : s.lumaCorrelation) {
        std::snprintf(buf, sizeof buf, " %.2f", v);
        os << buf;
    }
    if (s.sigmaPerChannel.size() == 3) {
        os << "; chroma:";
        for (double v : s.chromaCorrelation) {
            std::snprintf(buf, sizeof buf, " %.2f", v);
            os << buf;
        }
        std::snprintf(buf, sizeof buf, "\n  channel correlation RG %.2f RB %.2f GB %.2f; chroma share %.2f",
                      s.channelCorrelation[0], s.channelCorrelation[1], s.channelCorrelation[2], s.chromaShare);
        os << buf;
    }
    return os.str();
}

}  // namespace aekit
