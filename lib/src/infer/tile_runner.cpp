// SPDX-License-Identifier: Apache-2.0
// The tile loop of inference (see tile_runner.hpp).
#include "infer/tile_runner.hpp"

#include <algorithm>
#include <cstdint>

#include "core/huge_pages.hpp"

namespace aekit::infer {

namespace {

// Index into [0, n) of position i under repeated mirror reflection (edge pixel not repeated... except n == 1).
int reflect(int i, int n) {
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

}  // namespace

void runTiles(Network& net, const TilePlan& plan, int tileH, int tileW, std::vector<float>& out, const TileJob& job) {
    const float* src = job.src;
    const int H = job.H, W = job.W, inC = job.inC, outC = job.outC;
    const Dihedral& d = job.view;
    const float weight = job.weight;
    const bool inPlace = src == out.data();
    const bool decodeColour = bool(job.decode);
    const int TH = d.transpose ? W : H, TW = d.transpose ? H : W;  // the transformed image's size
    const int FH = plan.frame(TH), FW = plan.frame(TW);
    const int64_t tilePlane = int64_t(tileH) * tileW;
    const std::vector<Band> rowBands = plan.bands(FH, tileH), columnBands = plan.bands(FW, tileW);
    // In place: kept rows wait in `pending` (image rows [pendingBegin, pendingBegin + rows), C
    // planes of all columns) until no later band of tiles reads them. Band k's tiles read the
    // image rows its frame rows reflect to; the rows below the least of those for every later
    // band are final. One tile: its input is all read before its output comes, so that goes
    // straight into the image (no image-sized buffer to fault in for each small photo).
    const bool viaPending = inPlace && rowBands.size() * columnBands.size() > 1;
    std::vector<float> pending;
    int pendingBegin = 0;
    std::vector<int> firstRowRead(rowBands.size() + 1, TH);
    if (viaPending) {
        for (size_t k = rowBands.size(); k-- > 0;) {
            firstRowRead[k] = firstRowRead[k + 1];
            for (int i = 0; i < tileH; ++i) firstRowRead[k] = std::min(firstRowRead[k], reflect(rowBands[k].origin + i, TH));
        }
        core::assignOnHugePages(pending, size_t(outC) * tileH * W);
    }
    const int pendingRows = tileH;
    // Rows [pendingBegin, row) into the image; those up to `end` (the last kept) moved up.
    auto flushBelow = [&](int row, int end) {
        if (row <= pendingBegin) return;
        const int n = row - pendingBegin, rest = end - row;
        for (int c = 0; c < outC; ++c) {
            float* plane = pending.data() + int64_t(c) * pendingRows * W;
            std::copy(plane, plane + int64_t(n) * W, out.data() + (int64_t(c) * H + pendingBegin) * W);
            std::copy(plane + int64_t(n) * W, plane + int64_t(n + rest) * W, plane);
        }
        pendingBegin = row;
    };
    for (size_t k = 0; k < rowBands.size(); ++k) {
        const Band& by = rowBands[k];
        for (const Band& bx : columnBands) {
            float* in = net.input();
            for (int c = 0; c < inC; ++c)
                for (int i = 0; i < tileH; ++i) {
                    const int ty = reflect(by.origin + i, TH);
                    float* dst = in + c * tilePlane + int64_t(i) * tileW;
                    if (d.identity()) {
                        const float* row = src + (int64_t(c) * H + ty) * W;
                        for (int j = 0; j < tileW; ++j) dst[j] = row[reflect(bx.origin + j, W)];
                    } else {
                        for (int j = 0; j < tileW; ++j) dst[j] = src[int64_t(c) * H * W + d.sourceIndex(ty, reflect(bx.origin + j, TW), TH, TW, W)];
                    }
                }
            net.forward();
            // The band's frame rows and columns that are image pixels.
            const int y0 = by.begin, y1 = std::min(by.end, TH);
            const int x0 = bx.begin, x1 = std::min(bx.end, TW);
            // Rows [r0, r1) of the tile's output, `plane` apart, whose first row is tile row r0.
            auto keep = [&](const float* o, int r0, int r1, int64_t plane) {
                for (int c = 0; c < outC; ++c)
                    for (int y = std::max(y0, by.origin + r0); y < std::min(y1, by.origin + r1); ++y) {
                        const float* row = o + c * plane + int64_t(y - by.origin - r0) * tileW - bx.origin;
                        if (viaPending) {
                            std::copy(row + x0, row + x1, pending.data() + (int64_t(c) * pendingRows + y - pendingBegin) * W + x0);
                            continue;
                        }
                        float* dst = out.data() + int64_t(c) * H * W;
                        if (d.identity() && weight == 1.f) {
                            std::copy(row + x0, row + x1, dst + int64_t(y) * W + x0);
                        } else {
                            for (int x = x0; x < x1; ++x) dst[d.sourceIndex(y, x, TH, TW, W)] += weight * row[x];
                        }
                    }
            };
            if (!decodeColour) {
                keep(net.output(), 0, tileH, tilePlane);
                continue;
            }
            // Class scores to ab a strip at a time, only the strips holding kept rows.
            const int R = net.outputStripRows();
            for (int r0 = (y0 - by.origin) / R * R; r0 < y1 - by.origin; r0 += R) {
                const Image ab = job.decode(net.outputRows(r0), R, tileW);
                keep(ab.pixels.data(), r0, r0 + R, int64_t(R) * tileW);
            }
        }
        const int end = std::min(by.end, TH);
        if (viaPending) flushBelow(std::min(firstRowRead[k + 1], end), end);
    }
}

}  // namespace aekit::infer
