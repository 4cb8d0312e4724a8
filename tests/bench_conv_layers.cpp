// SPDX-License-Identifier: Apache-2.0
// Per-layer convolution timings of the bench-unet's training shapes (batch 16, 128x128 input) and
// inference shapes (one 1024x1024 image), direct against Winograd, forward, backward-data and
// backward-weights: the measurements behind ops/conv.cpp's choice of where Winograd runs.
// usage: build/tests/bench_conv_layers [THREADS]   (medians of 5 runs after a warm-up; milliseconds)
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

dnnl::engine eng(dnnl::engine::kind::cpu, 0);
dnnl::stream strm(eng);

template <class F>
double medianMs(F&& run) {
    run();
    strm.wait();
    std::vector<double> t;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        strm.wait();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[2];
}

// Forward, backward-data and backward-weights times (ms) of one 3x3 convolution with algorithm a on
// nChw16c activations; -1 where oneDNN offers no such primitive. Inference: forward only.
std::vector<double> timeLayer(algorithm a, int N, int IC, int OC, int H, bool training) {
    // An image input (3 channels) lets oneDNN pick its own source layout, as aekit does (blocked, it
    // would fall to the reference kernel).
    const memory::desc src({N, IC, H, H}, dt::f32, IC % 16 ? tag::any : tag::nChw16c);
    const memory::desc dst({N, OC, H, H}, dt::f32, tag::nChw16c);
    const memory::desc weights({OC, IC, 3, 3}, dt::f32, tag::any), bias({OC}, dt::f32, tag::x);
    const memory::dims one{1, 1};
    const auto prop = training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
    std::vector<double> out(3, -1);
    try {
        dnnl::convolution_forward::primitive_desc fwd({prop, a, src, weights, bias, dst, one, one, one}, eng);
        memory s(fwd.src_desc(), eng), w(fwd.weights_desc(), eng), b(bias, eng), d(dst, eng);
        dnnl::convolution_forward conv(fwd);
        out[0] = medianMs([&] { conv.execute(strm, {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, d}}); });
        if (!training) return out;
        try {
            dnnl::convolution_backward_data::primitive_desc bd({a, fwd.src_desc(), weights, dst, one, one, one}, eng, fwd);
            memory ds(bd.diff_src_desc(), eng), bw(bd.weights_desc(), eng);
            dnnl::convolution_backward_data p(bd);
            out[1] = medianMs([&] { p.execute(strm, {{DNNL_ARG_DIFF_DST, d}, {DNNL_ARG_WEIGHTS, bw}, {DNNL_ARG_DIFF_SRC, ds}}); });
        } catch (const dnnl::error&) {
        }
        try {
            dnnl::convolution_backward_weights::primitive_desc bw({a, fwd.src_desc(), weights, bias, dst, one, one, one}, eng, fwd);
            memory dw(bw.diff_weights_desc(), eng), db(bias, eng);
            dnnl::convolution_backward_weights p(bw);
            out[2] = medianMs([&] {
                p.execute(strm, {{DNNL_ARG_SRC, s}, {DNNL_ARG_DIFF_DST, d}, {DNNL_ARG_DIFF_WEIGHTS, dw}, {DNNL_ARG_DIFF_BIAS, db}});
            });
        } catch (const dnnl::error&) {
        }
    } catch (const dnnl::error&) {
    }
    return out;
}

std::string cell(double direct, double wino) {
    char buf[64];
    if (direct < 0 && wino < 0) return "-";
    if (wino < 0) std::snprintf(buf, sizeof buf, "%.1f / -", direct);
    else std::snprintf(buf, sizeof buf, "%.1f / %.1f", direct, wino);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 0;
    if (threads > 0) omp_set_num_threads(threads);
    // The bench-unet's convolutions: input channels, output channels, side at a 128x128 patch.
    const int layers[][3] = {{3, 32, 128},   {32, 32, 128}, {32, 64, 64}, {64, 64, 64}, {64, 128, 32},
                             {128, 128, 32}, {192, 64, 64}, {96, 32, 128}, {32, 3, 128}};
    std::printf("bench-unet 3x3 convolutions, %d threads, ms (median of 5): direct / Winograd\n", omp_get_max_threads());
    std::printf("| layer | training fwd (16x128x128) | backward-data | backward-weights | inference fwd (1024x1024) |\n");
    std::printf("|---|---|---|---|---|\n");
    for (const auto& l : layers) {
        const auto d = timeLayer(algorithm::convolution_direct, 16, l[0], l[1], l[2], true);
        const auto w = timeLayer(algorithm::convolution_winograd, 16, l[0], l[1], l[2], true);
        const auto di = timeLayer(algorithm::convolution_direct, 1, l[0], l[1], l[2] * 8, false);
        const auto wi = timeLayer(algorithm::convolution_winograd, 1, l[0], l[1], l[2] * 8, false);
        std::printf("| %d->%d at %d | %s | %s | %s | %s |\n", l[0], l[1], l[2], cell(d[0], w[0]).c_str(),
                    cell(d[1], w[1]).c_str(), cell(d[2], w[2]).c_str(), cell(di[0], wi[0]).c_str());
    }
    return 0;
}
