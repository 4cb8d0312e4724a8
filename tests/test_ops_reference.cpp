// SPDX-License-Identifier: Apache-2.0
// Tier 1: every oneDNN op, forward and backward, against the nested-loop reference in double,
// over awkward sizes (odd H and W, channels 1, 3, 5, 17, batch 1 and 3), in both graph layouts.
#include <doctest/doctest.h>

#include <cstring>
#include <random>

#include <sys/mman.h>
#include <unistd.h>

#include "aekit/error.hpp"
#include "aekit/network.hpp"
#include "engine/arena.hpp"
#include "graph/graph.hpp"
#include "support/reference_ops.hpp"
#include "support/test_util.hpp"

using aekit::Activation;
using aekit::graph::Graph;
using testutil::checkClose;
using testutil::randomFloatVec;

namespace {

constexpr double kTol = 2e-4;

struct Case {
    int N, C, H, W;
};
const Case kOddCases[] = {{1, 1, 5, 7}, {3, 3, 7, 5}, {1, 5, 9, 11}, {3, 17, 3, 13}, {1, 17, 1, 1}};
const Case kEvenCases[] = {{1, 1, 6, 10}, {3, 3, 2, 4}, {1, 5, 8, 6}, {3, 17, 4, 14}};

ref::Act refAct(Activation a) {
    switch (a) {
        case Activation::LeakyReLU: return ref::Act::LeakyReLU;
        case Activation::Sigmoid: return ref::Act::Sigmoid;
        case Activation::Tanh: return ref::Act::Tanh;
        default: return ref::Act::ReLU;
    }
}

void fill(float* dst, const std::vector<double>& src) { std::copy(src.begin(), src.end(), dst); }

// Runs a finalized single-path graph forward and, in training, backward with diffDst.
void runGraph(Graph& g, const std::vector<double>& src, const std::vector<double>* diffDst) {
    fill(g.inputBuffer(), src);
    g.forward();
    if (diffDst) {
        fill(g.outputDiffBuffer(), *diffDst);
        g.backward();
    }
}

// One convolution (K x K, OC outputs, fused activation) in a finalized graph g whose input has c's
// shape: weights, bias and input set from seeds, forward (and backward in training) checked
// against the reference loops.
void checkConvAgainstReference(Graph& g, const Case& c, int OC, int K, Activation act, bool training) {
    const ref::Shape s{c.N, c.C, c.H, c.W};
    auto src = randomFloatVec(s.size(), 1);
    auto wts = randomFloatVec(size_t(OC) * c.C * K * K, 2, -0.5, 0.5);
    auto bias = randomFloatVec(size_t(OC), 3, -0.5, 0.5);
    auto params = g.params();
    fill(params[0]->valuePtr(), wts);
    fill(params[1]->valuePtr(), bias);
    g.weightsChanged();
    auto pre = ref::conv(src, s, wts, bias, OC, K);
    auto dst = pre;
    if (act != Activation::None)
        for (auto& v : dst) v = ref::act(refAct(act), v);
    const ref::Shape d{c.N, OC, c.H, c.W};
    auto diffDst = randomFloatVec(d.size(), 4);
    runGraph(g, src, training ? &diffDst : nullptr);
    checkClose(g.outputBuffer(), dst, dst.size(), kTol, "conv dst");
    if (!training) return;
    auto diffPre = diffDst;
    if (act != Activation::None)
        for (size_t i = 0; i < diffPre.size(); ++i) diffPre[i] *= ref::actDerivative(refAct(act), pre[i]);
    std::vector<double> dW, dB;
    auto dX = ref::convBackward(src, s, wts, OC, K, diffPre, dW, dB);
    checkClose(params[0]->gradPtr(), dW, dW.size(), kTol, "conv diff_weights");
    checkClose(params[1]->gradPtr(), dB, dB.size(), kTol, "conv diff_bias");
    checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "conv diff_src");
}

// Two graphs of one structure, one image: the same random weights and input, and the inference
// graph's planned buffers must give what the training graph's own buffers give.
void checkPlannedAgainstOwnBuffers(Graph& train, Graph& infer, size_t inputSize, uint64_t seed) {
    auto trainParams = train.params(), inferParams = infer.params();
    for (size_t i = 0; i < trainParams.size(); ++i) {
        const auto v = randomFloatVec(trainParams[i]->size(), seed + i, -0.2, 0.2);
        fill(trainParams[i]->valuePtr(), v);
        fill(inferParams[i]->valuePtr(), v);
    }
    train.weightsChanged();
    infer.weightsChanged();
    const auto x = randomFloatVec(inputSize, seed + 1000, 0, 1);
    fill(train.inputBuffer(), x);
    fill(infer.inputBuffer(), x);
    train.forward();
    infer.forward();
    const std::vector<double> expected(train.outputBuffer(), train.outputBuffer() + x.size());
    checkClose(infer.outputBuffer(), expected, expected.size(), 1e-4, "planned output");
}

}  // namespace

TEST_CASE("reference: convolution forward and backward (3x3 and 1x1, bias, fused activations)") {
    for (bool training : {true, false})
        for (const Case& c : kOddCases)
            for (int K : {3, 1})
                for (int OC : {1, 3, 17})
                    for (Activation act : {Activation::None, Activation::ReLU, Activation::LeakyReLU,
                                           Activation::Sigmoid, Activation::Tanh}) {
                        if (K == 1 && act != Activation::ReLU && act != Activation::None) continue;
                        CAPTURE(training);
                        CAPTURE(c.N);
                        CAPTURE(c.C);
                        CAPTURE(c.H);
                        CAPTURE(c.W);
                        CAPTURE(K);
                        CAPTURE(OC);
                        const std::string actName = aekit::toString(act);
                        CAPTURE(actName);
                        Graph g(training);
                        auto* x = g.input(c.C);
                        g.setOutput(g.conv("c", x, OC, K, act));
                        if (training) g.requestInputGradient();
                        g.finalize(c.N, c.H, c.W);
                        checkConvAgainstReference(g, c, OC, K, act, training);
                    }
}

TEST_CASE("reference: Winograd convolutions agree with the loops, forward and backward") {
    // Channel counts where ops/conv.cpp picks Winograd (16+ inputs; 64+ outputs for weights too),
    // odd sizes that are not multiples of Winograd's 4x4 tiles.
    const Case cases[] = {{2, 16, 9, 13}, {1, 32, 12, 8}, {1, 64, 5, 5}};
    // oneDNN 2.6 has Winograd kernels for AVX-512 only; on other CPUs the same graph runs direct.
    const auto isa = dnnl::get_effective_cpu_isa();
    const bool offered = isa == dnnl::cpu_isa::avx512_core || isa == dnnl::cpu_isa::avx512_core_vnni ||
                         isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
    CAPTURE(offered);
    for (bool training : {true, false})
        for (const Case& c : cases)
            for (int OC : {3, 16, 64})
                for (Activation act : {Activation::None, Activation::ReLU}) {
                    CAPTURE(training);
                    CAPTURE(c.C);
                    CAPTURE(c.H);
                    CAPTURE(OC);
                    Graph g(training, false, true);
                    auto* x = g.input(c.C);
                    g.setOutput(g.conv("c", x, OC, 3, act));
                    if (training) g.requestInputGradient();
                    g.finalize(c.N, c.H, c.W);
                    int winograd = 0;
                    for (const auto& impl : g.implementations()) winograd += impl.find("wino") != std::string::npos;
                    // forward; in training also backward-data (16+ outputs) and backward-weights (64).
                    CHECK(winograd == (offered ? 1 + (training && OC >= 16) + (training && OC >= 64) : 0));
                    checkConvAgainstReference(g, c, OC, 3, act, training);
                }
    // More than 4 output channels per input channel (a colorizer's 32 -> 261 classes) runs direct:
    // Winograd's scratchpad would hold every output channel's transformed tiles.
    for (bool training : {true, false}) {
        CAPTURE(training);
        const Case c{1, 16, 12, 8};
        Graph g(training, false, true);
        auto* x = g.input(c.C);
        g.setOutput(g.conv("c", x, 72, 3, Activation::ReLU));
        if (training) g.requestInputGradient();
        g.finalize(c.N, c.H, c.W);
        for (const auto& impl : g.implementations()) CHECK(impl.find("wino") == std::string::npos);
        checkConvAgainstReference(g, c, 72, 3, Activation::ReLU, training);
    }
}

TEST_CASE("reference: 2x2 max pooling forward and backward, and odd sizes refused") {
    for (bool training : {true, false})
        for (const Case& c : kEvenCases) {
            CAPTURE(training);
            CAPTURE(c.N);
            CAPTURE(c.C);
            CAPTURE(c.H);
            CAPTURE(c.W);
            Graph g(training);
            auto* x = g.input(c.C);
            g.setOutput(g.maxPool("p", x));
            if (training) g.requestInputGradient();
            g.finalize(c.N, c.H, c.W);
            const ref::Shape s{c.N, c.C, c.H, c.W};
            auto src = randomFloatVec(s.size(), 5);  // continuous draws: no ties
            const ref::Shape d{c.N, c.C, c.H / 2, c.W / 2};
            auto diffDst = randomFloatVec(d.size(), 6);
            runGraph(g, src, training ? &diffDst : nullptr);
            auto dst = ref::maxPool(src, s);
            checkClose(g.outputBuffer(), dst, dst.size(), kTol, "pool dst");
            if (!training) continue;
            auto dX = ref::maxPoolBackward(src, s, diffDst);
            checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "pool diff_src");
        }
    Graph g(true);
    g.setOutput(g.maxPool("p", g.input(3)));
    CHECK_THROWS_WITH_AS(g.finalize(1, 5, 6), doctest::Contains("even H and W"), aekit::Error);
}

TEST_CASE("reference: 2x upsampling, nearest and bilinear, forward and backward") {
    for (bool training : {true, false})
        for (bool bilinear : {false, true})
            for (const Case& c : kOddCases) {
                CAPTURE(training);
                CAPTURE(bilinear);
                CAPTURE(c.N);
                CAPTURE(c.C);
                CAPTURE(c.H);
                CAPTURE(c.W);
                Graph g(training);
                auto* x = g.input(c.C);
                g.setOutput(g.upsample("u", x, bilinear));
                if (training) g.requestInputGradient();
                g.finalize(c.N, c.H, c.W);
                const ref::Shape s{c.N, c.C, c.H, c.W};
                auto src = randomFloatVec(s.size(), 7);
                const ref::Shape d{c.N, c.C, c.H * 2, c.W * 2};
                auto diffDst = randomFloatVec(d.size(), 8);
                runGraph(g, src, training ? &diffDst : nullptr);
                auto dst = ref::upsample(src, s, bilinear);
                checkClose(g.outputBuffer(), dst, dst.size(), kTol, "upsample dst");
                if (!training) continue;
                auto dX = ref::upsampleBackward(s, diffDst, bilinear);
                checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "upsample diff_src");
            }
}

TEST_CASE("reference: transposed convolution 2x2 stride 2, forward and backward") {
    for (bool training : {true, false})
        for (const Case& c : kOddCases)
            for (int OC : {1, 5, 17}) {
                CAPTURE(training);
                CAPTURE(c.N);
                CAPTURE(c.C);
                CAPTURE(c.H);
                CAPTURE(c.W);
                CAPTURE(OC);
                Graph g(training);
                auto* x = g.input(c.C);
                g.setOutput(g.deconv("d", x, OC));
                if (training) g.requestInputGradient();
                g.finalize(c.N, c.H, c.W);
                const ref::Shape s{c.N, c.C, c.H, c.W};
                auto src = randomFloatVec(s.size(), 9);
                auto wts = randomFloatVec(size_t(OC) * c.C * 4, 10, -0.5, 0.5);
                auto params = g.params();
                fill(params[0]->valuePtr(), wts);
                g.weightsChanged();
                const ref::Shape d{c.N, OC, c.H * 2, c.W * 2};
                auto diffDst = randomFloatVec(d.size(), 11);
                runGraph(g, src, training ? &diffDst : nullptr);
                auto dst = ref::deconv(src, s, wts, OC);
                checkClose(g.outputBuffer(), dst, dst.size(), kTol, "deconv dst");
                if (!training) continue;
                std::vector<double> dW;
                auto dX = ref::deconvBackward(src, s, wts, OC, diffDst, dW);
                checkClose(params[0]->gradPtr(), dW, dW.size(), kTol, "deconv diff_weights");
                checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "deconv diff_src");
            }
}

TEST_CASE("reference: activations forward and backward as standalone ops") {
    for (bool training : {true, false})
        for (Activation act : {Activation::ReLU, Activation::LeakyReLU, Activation::Sigmoid, Activation::Tanh})
            for (const Case& c : kOddCases) {
                CAPTURE(training);
                const std::string actName = aekit::toString(act);
                        CAPTURE(actName);
                CAPTURE(c.C);
                Graph g(training);
                auto* x = g.input(c.C);
                g.setOutput(g.eltwise("a", x, act));
                if (training) g.requestInputGradient();
                g.finalize(c.N, c.H, c.W);
                const ref::Shape s{c.N, c.C, c.H, c.W};
                auto src = randomFloatVec(s.size(), 12, -3, 3);
                auto diffDst = randomFloatVec(s.size(), 13);
                runGraph(g, src, training ? &diffDst : nullptr);
                std::vector<double> dst(src.size()), dX(src.size());
                for (size_t i = 0; i < src.size(); ++i) {
                    dst[i] = ref::act(refAct(act), src[i]);
                    dX[i] = diffDst[i] * ref::actDerivative(refAct(act), src[i]);
                }
                checkClose(g.outputBuffer(), dst, dst.size(), kTol, "activation dst");
                if (training) checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "activation diff_src");
            }
}

TEST_CASE("reference: concat along channels and residual difference, with gradients summed over consumers") {
    for (bool training : {true, false})
        for (const Case& c : kOddCases)
            for (bool concat : {true, false}) {
                CAPTURE(training);
                CAPTURE(concat);
                CAPTURE(c.N);
                CAPTURE(c.C);
                CAPTURE(c.H);
                CAPTURE(c.W);
                // y = [tanh(x), x] or y = x - tanh(x): x has two consumers, so its gradient is a sum.
                Graph g(training);
                auto* x = g.input(c.C);
                auto* t = g.eltwise("t", x, Activation::Tanh);
                g.setOutput(concat ? g.concat("cat", {t, x}) : g.binary("sub", x, t, true));
                if (training) g.requestInputGradient();
                g.finalize(c.N, c.H, c.W);
                const ref::Shape s{c.N, c.C, c.H, c.W};
                const ref::Shape d{c.N, concat ? 2 * c.C : c.C, c.H, c.W};
                auto src = randomFloatVec(s.size(), 14, -2, 2);
                auto diffDst = randomFloatVec(d.size(), 15);
                runGraph(g, src, training ? &diffDst : nullptr);
                std::vector<double> dst(d.size()), dX(s.size());
                for (int n = 0; n < c.N; ++n)
                    for (int ch = 0; ch < c.C; ++ch)
                        for (int h = 0; h < c.H; ++h)
                            for (int w = 0; w < c.W; ++w) {
                                const double v = src[s.at(n, ch, h, w)], th = std::tanh(v), dth = 1 - th * th;
                                if (concat) {
                                    dst[d.at(n, ch, h, w)] = th;
                                    dst[d.at(n, c.C + ch, h, w)] = v;
                                    dX[s.at(n, ch, h, w)] =
                                        diffDst[d.at(n, ch, h, w)] * dth + diffDst[d.at(n, c.C + ch, h, w)];
                                } else {
                                    dst[d.at(n, ch, h, w)] = v - th;
                                    dX[s.at(n, ch, h, w)] = diffDst[d.at(n, ch, h, w)] * (1 - dth);
                                }
                            }
                checkClose(g.outputBuffer(), dst, dst.size(), kTol, "dst");
                if (training) checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "diff_src");
            }
}

TEST_CASE("reference: convolutions from 5 to 15 channels run on JIT kernels in inference too") {
    // In a blocked (Winograd) inference graph oneDNN 2.6 has no JIT kernel for such a source on
    // nChw16c: ref:any, 100x slower (a test U-Net of 8/12/16 channels took 27 s for four small
    // images). They run on nhwc, as in training.
    for (int IC : {8, 12, 32})
        for (int OC : {3, 8, 16}) {
            CAPTURE(IC);
            CAPTURE(OC);
            const Case c{1, IC, 12, 10};
            Graph g(false, false, true);
            auto* x = g.input(c.C);
            g.setOutput(g.conv("c", x, OC, 3, Activation::ReLU));
            g.finalize(c.N, c.H, c.W);
            for (const auto& impl : g.implementations()) {
                CAPTURE(impl);
                CHECK(impl.find("ref:") == std::string::npos);
            }
            checkConvAgainstReference(g, c, OC, 3, Activation::ReLU, false);
        }
}

TEST_CASE("reference: concat of sources a blocked layout cannot all view (a block, then a seam inside one)") {
    // 1x1 convolutions give sources of 16, 24 and 1 channels: the first is copied by a reorder, the
    // 24 at offset 16 and the 1 at offset 40 (inside a block) go through the concat primitive
    // together. Also 16 + 16 + 5 (a seam on a block boundary: three reorders) and 5 + 16 (one
    // concat of everything). steps: the concat's forward steps in inference.
    const std::pair<std::vector<int>, int> cases[] = {{{16, 24, 1}, 2}, {{16, 16, 5}, 3}, {{5, 16}, 1}};
    for (const auto& [counts, steps] : cases)
        for (bool training : {true, false}) {
            CAPTURE(training);
            CAPTURE(counts.size());
            CAPTURE(counts.back());
            const Case c{2, 3, 5, 6};
            Graph g(training, false, true);
            auto* x = g.input(c.C);
            std::vector<aekit::engine::Tensor*> srcs;
            for (size_t i = 0; i < counts.size(); ++i) srcs.push_back(g.conv("c" + std::to_string(i), x, counts[i], 1, Activation::None));
            g.setOutput(g.concat("cat", srcs));
            if (training) g.requestInputGradient();
            g.finalize(c.N, c.H, c.W);
            if (!training && aekit::engine::channelBlock() == 16) {
                int concatSteps = 0;
                for (const auto& impl : g.implementations()) concatSteps += impl.rfind("cat: ", 0) == 0;
                CHECK(concatSteps == steps);
            }
            const ref::Shape s{c.N, c.C, c.H, c.W};
            const auto src = randomFloatVec(s.size(), 21);
            auto params = g.params();
            int total = 0;
            std::vector<std::vector<double>> outs, wts;
            for (size_t i = 0; i < counts.size(); ++i) {
                wts.push_back(randomFloatVec(size_t(counts[i]) * c.C, 30 + i, -0.5, 0.5));
                const auto bias = randomFloatVec(size_t(counts[i]), 40 + i, -0.5, 0.5);
                fill(params[2 * i]->valuePtr(), wts.back());
                fill(params[2 * i + 1]->valuePtr(), bias);
                outs.push_back(ref::conv(src, s, wts.back(), bias, counts[i], 1));
                total += counts[i];
            }
            g.weightsChanged();
            const ref::Shape d{c.N, total, c.H, c.W};
            const auto diffDst = randomFloatVec(d.size(), 22);
            runGraph(g, src, training ? &diffDst : nullptr);
            std::vector<double> dst(d.size()), dX(s.size(), 0.0);
            int offset = 0;
            for (size_t i = 0; i < counts.size(); ++i) {
                const ref::Shape o{c.N, counts[i], c.H, c.W};
                std::vector<double> diffPart(o.size());
                for (int n = 0; n < c.N; ++n)
                    for (int ch = 0; ch < counts[i]; ++ch)
                        for (int h = 0; h < c.H; ++h)
                            for (int w = 0; w < c.W; ++w) {
                                dst[d.at(n, offset + ch, h, w)] = outs[i][o.at(n, ch, h, w)];
                                diffPart[o.at(n, ch, h, w)] = diffDst[d.at(n, offset + ch, h, w)];
                            }
                std::vector<double> dW, dB;
                const auto part = ref::convBackward(src, s, wts[i], counts[i], 1, diffPart, dW, dB);
                for (size_t k = 0; k < dX.size(); ++k) dX[k] += part[k];
                offset += counts[i];
            }
            checkClose(g.outputBuffer(), dst, dst.size(), kTol, "concat dst");
            if (training) checkClose(g.inputDiffBuffer(), dX, dX.size(), kTol, "concat diff_src");
        }
}

TEST_CASE("arena: buffers whose lifetimes overlap never share bytes, and a chain reuses memory") {
    using aekit::engine::Lifetime;
    using aekit::engine::planOffsets;
    // A chain of 6 steps, each buffer written at step i and read at step i + 1: two live at a time.
    std::vector<Lifetime> chain;
    for (int i = 0; i < 6; ++i) chain.push_back({size_t(1000 + 64 * i), i, i + 1});
    size_t total = 0;
    planOffsets(chain, 64, &total);
    CHECK(total == 1344 + 1280);  // the two largest neighbours, each rounded up to 64 bytes
    // Random lifetimes and sizes: every pair that is live at one step is disjoint in bytes.
    std::mt19937 rng(7);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<Lifetime> buffers;
        size_t sum = 0;
        for (int i = 0; i < 40; ++i) {
            const int first = int(rng() % 30);
            buffers.push_back({size_t(1 + rng() % 5000), first, first + int(rng() % 8)});
            sum += (buffers.back().bytes + 63) / 64 * 64;
        }
        const auto offsets = planOffsets(buffers, 64, &total);
        CHECK(total <= sum);
        for (size_t a = 0; a < buffers.size(); ++a) {
            CHECK(offsets[a] % 64 == 0);
            CHECK(offsets[a] + buffers[a].bytes <= total);
            for (size_t b = a + 1; b < buffers.size(); ++b) {
                const bool liveTogether = buffers[a].first <= buffers[b].last && buffers[b].first <= buffers[a].last;
                const bool overlap = offsets[a] < offsets[b] + buffers[b].bytes && offsets[b] < offsets[a] + buffers[a].bytes;
                if (liveTogether) CHECK_FALSE(overlap);
            }
        }
    }
}

TEST_CASE("arena: whole-run buffers share no bytes, and a new shape reuses the block when it fits") {
    // A folder of photos of many sizes: every fresh page costs a fault, so the block is kept for any
    // plan it holds (up to 8 times too large) and grows with room to spare.
    using aekit::engine::Arena;
    const auto& eng = aekit::engine::cpuEngine();
    auto desc = [](int n) { return dnnl::memory::desc({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::x); };
    auto bytesOf = [](const dnnl::memory& m) {
        auto* p = static_cast<char*>(m.get_data_handle());
        return std::pair<char*, char*>{p, p + m.get_desc().get_size()};
    };
    Arena arena;
    auto plan = [&](int n) {  // a chain of three activations, an edge and a scratchpad
        arena.clear();
        std::vector<dnnl::memory> chain{arena.add(desc(n), eng, 1), arena.add(desc(n), eng, 2), arena.add(desc(n), eng, 3)};
        arena.use(chain[0], 2);
        arena.use(chain[1], 3);
        const dnnl::memory edge = arena.addWhole(desc(n / 2), eng), scratch = arena.addWhole(desc(n / 3), eng);
        const size_t planned = arena.place();
        CHECK(planned >= sizeof(float) * (2 * n + n / 2 + n / 3));
        CHECK(planned < sizeof(float) * (3 * n + n / 2 + n / 3));  // the chain's first and last share bytes
        for (const auto& whole : {edge, scratch})
            for (const auto& other : {chain[0], chain[1], chain[2], edge, scratch}) {
                if (whole.get() == other.get()) continue;
                const auto [a0, a1] = bytesOf(whole);
                const auto [b0, b1] = bytesOf(other);
                CHECK_FALSE((a0 < b1 && b0 < a1));
            }
        return static_cast<char*>(chain[0].get_data_handle());
    };
    plan(1 << 20);
    const size_t first = arena.capacity();
    CHECK(first >= arena.plannedBytes() + arena.plannedBytes() / 4);  // room to grow
    const char* base = plan(1 << 19);                                   // smaller: the same block
    CHECK(arena.capacity() == first);
    CHECK(plan(1200000) == base);  // larger, within the room: still the same block
    CHECK(arena.capacity() == first);
    plan(1 << 22);  // beyond it: a new, larger block
    CHECK(arena.capacity() >= arena.plannedBytes());
    CHECK(arena.capacity() > first);
    const size_t large = arena.capacity();
    plan(1 << 17);  // far smaller than the block: not kept
    CHECK(arena.capacity() < large);
}

TEST_CASE("arena: under a limit the block is kept across shapes and hands back the pages beyond it") {
    // A folder's tiny photo between two others must not throw the block away (the next photo would
    // fault all of it in afresh); what the limit does not allow goes back to the system.
    using aekit::engine::Arena;
    const auto& eng = aekit::engine::cpuEngine();
    const size_t page = size_t(sysconf(_SC_PAGESIZE)), MB = size_t(1) << 20;
    // Resident pages of [p, p + bytes), by mincore.
    auto resident = [&](const void* p, size_t bytes) {
        std::vector<unsigned char> in((bytes + page - 1) / page);
        REQUIRE(mincore(const_cast<void*>(p), bytes, in.data()) == 0);
        size_t n = 0;
        for (unsigned char c : in) n += c & 1;
        return n * page;
    };
    Arena arena;
    auto plan = [&](size_t bytes) {  // one buffer, written all through
        arena.clear();
        dnnl::memory m = arena.add(dnnl::memory::desc({dnnl::memory::dim(bytes)}, dnnl::memory::data_type::u8, dnnl::memory::format_tag::x), eng, 1);
        arena.place();
        std::memset(m.get_data_handle(), 1, bytes);
        return static_cast<const char*>(m.get_data_handle());
    };
    arena.setLimit(64 * MB);
    const char* base = plan(40 * MB);
    CHECK(arena.capacity() >= 64 * MB);  // mapped up to the limit
    CHECK(plan(MB) == base);             // a tiny shape: the same block (no limit: a new one)
    CHECK(plan(60 * MB) == base);        // and the next large one finds it
    CHECK(resident(base, arena.capacity()) >= 60 * MB);
    arena.setLimit(16 * MB);  // the next image holds more beside the network
    CHECK(plan(8 * MB) == base);
    CHECK(resident(base, arena.capacity()) <= 16 * MB);
    CHECK(resident(base, 8 * MB) == 8 * MB);
    plan(100 * MB);  // beyond the block: a new one, as large as this shape needs
    CHECK(arena.capacity() >= 100 * MB);
    CHECK(resident(arena.blockData(), arena.capacity()) <= 102 * MB);
}

TEST_CASE("arena: a convolution's scratchpad is planned for its step alone, beside the activations") {
    // x -> conv a -> concat(a, x) -> conv b. At the concat, x, a and the concat are live and no
    // scratchpad is; at conv b, the concat, b and b's Winograd scratchpad. One scratchpad held for
    // the whole run would add b's scratchpad to the concat's step: the plan must stay below that.
    const int C = 32, H = 128, W = 128;
    auto build = [&](Graph& g) {
        auto* x = g.input(C);
        auto* a = g.conv("a", x, C, 3, Activation::ReLU);
        g.setOutput(g.conv("b", g.concat("cat", {a, x}), C, 3, Activation::ReLU));
        g.finalize(1, H, W);
    };
    Graph infer(false, false, true), train(true, false, true);
    build(infer);
    build(train);
    bool winograd = false;
    for (const auto& impl : infer.implementations()) winograd |= impl.rfind("b: jit_wino", 0) == 0;
    if (!winograd) {
        MESSAGE("no Winograd kernels on this CPU: nothing to plan");
        return;
    }
    // conv b's scratchpad, as oneDNN sizes it.
    using dnnl::memory;
    const auto act = [&](int c) { return memory::desc({1, c, H, W}, memory::data_type::f32, aekit::engine::blockedLayout()); };
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::convolution_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_winograd, act(2 * C),
         memory::desc({C, 2 * C, 3, 3}, memory::data_type::f32, memory::format_tag::any),
         memory::desc({C}, memory::data_type::f32, memory::format_tag::x), act(C), {1, 1}, {1, 1}, {1, 1}},
        attr, aekit::engine::cpuEngine());
    const size_t scratchpad = pd.scratchpad_desc().get_size();
    const size_t plane = size_t(H) * W * sizeof(float);
    const size_t atConcat = (C + C + 2 * C) * plane + 2 * C * plane;  // x, a, the concat; the caller's edges
    CHECK(scratchpad > C * plane);  // large enough to matter
    CHECK(infer.shapeBytes() < atConcat + scratchpad);
    // And the plan computes what the graph with its own buffers does.
    checkPlannedAgainstOwnBuffers(train, infer, size_t(C) * H * W, 10);
}

TEST_CASE("arena: an upsampling read only by a concat writes straight into the concat's channels") {
    // x -> pool -> conv -> upsample -> concat(upsampled, x) -> conv. With one image, the upsampled
    // channels (a whole number of blocks at offset 0) are written into the concat by the
    // resampling itself: the concat copies x alone. Outputs as with every buffer on its own.
    const int C = 32, H = 64, W = 48;
    auto build = [&](Graph& g, int N) {
        auto* x = g.input(C);
        auto* low = g.conv("low", g.maxPool("pool", x), C, 3, Activation::ReLU);
        g.setOutput(g.conv("out", g.concat("cat", {g.upsample("up", low, false), x}), C, 3, Activation::ReLU));
        g.finalize(N, H, W);
    };
    auto catSteps = [](const Graph& g) {
        int n = 0;
        for (const auto& impl : g.implementations()) n += impl.rfind("cat: ", 0) == 0;
        return n;
    };
    for (const bool winograd : {false, true}) {
        CAPTURE(winograd);
        Graph infer(false, false, winograd), train(true, false, winograd), batch(false, false, winograd);
        build(infer, 1);
        build(train, 1);
        build(batch, 2);  // two images: a channel range is strided, the copy stays
        CHECK(infer.winograd() == (winograd && aekit::engine::hasAvx512()));  // the effective ISA decides
        CHECK(catSteps(batch) == 2);
        CHECK(catSteps(infer) == (infer.winograd() ? 1 : 2));  // direct inference graphs are nhwc: no such range
        checkPlannedAgainstOwnBuffers(train, infer, size_t(C) * H * W, 20);
    }
}

TEST_CASE("arena: an inference U-Net, its activations planned in one block, computes what the training graph does") {
    // The training graph gives every activation its own buffer; the inference graph shares them by
    // lifetime. Shapes grow, shrink and repeat, so the block is reused, replaced and re-planned, and
    // prepared (Winograd) weights are kept across shapes, in the few layouts recent shapes took: a
    // layout kept from before the weights changed, or made by a shape that never ran (a tile size
    // tried and shrunk), must be prepared before it is used.
    aekit::Architecture arch;  // the shipped denoisers' shape: skips with the input, residual output
    arch.inputSkip = true;
    arch.residual = true;
    aekit::Network train(arch, aekit::Mode::Training), infer(arch, aekit::Mode::Inference);
    train.initWeights(3);
    infer.setWeights(train.weights());
    size_t smallBytes = 0;
    const std::vector<std::pair<int, int>> shapes{{48, 64}, {96, 32}, {128, 128}, {48, 64}, {64, 64}, {32, 48}, {128, 128}, {96, 32}, {256, 64}};
    for (size_t i = 0; i < shapes.size(); ++i) {
        const auto [H, W] = shapes[i];
        CAPTURE(H);
        CAPTURE(W);
        // New weights between shapes: weights prepared for the last shape and kept for this one
        // (the same layout) must be prepared again.
        if (i == 4) {
            train.initWeights(4);
            infer.setWeights(train.weights());
        }
        if (i == 6) infer.setShape(1, 256, 64);  // built, never run
        train.setShape(1, H, W);
        infer.setShape(1, H, W);
        const auto x = randomFloatVec(size_t(3) * H * W, uint64_t(H * 1000 + W), 0, 1);
        std::copy(x.begin(), x.end(), train.input());
        std::copy(x.begin(), x.end(), infer.input());
        train.forward();
        infer.forward();
        std::vector<double> expected(train.output(), train.output() + x.size());
        checkClose(infer.output(), expected, expected.size(), 1e-4, "inference output");
        if (H == 48 && W == 64) {
            if (smallBytes) CHECK(infer.shapeBytes() == smallBytes);  // the same plan again
            smallBytes = infer.shapeBytes();
        }
    }
}

TEST_CASE("output strips: the output handed over a strip of rows at a time is the whole output's rows") {
    // A colorizer-like network (its output layer a convolution that computes each strip from its
    // source rows and a halo) and a residual one (its output a sum, read through a view of the
    // whole tensor); on the blocked layout (Winograd) and on nhwc (direct); one strip, edge strips
    // only, inner ones, and a row count that must shrink to divide the height.
    for (const aekit::ConvAlgorithm algorithm : {aekit::ConvAlgorithm::Auto, aekit::ConvAlgorithm::Direct})
        for (const bool residual : {false, true}) {
            CAPTURE(aekit::toString(algorithm));
            CAPTURE(residual);
            aekit::setConvAlgorithm(algorithm);
            aekit::Architecture arch;
            arch.inChannels = residual ? 3 : 1;
            arch.outChannels = residual ? 3 : 40;
            arch.residual = residual;
            arch.inputSkip = residual;
            aekit::Network train(arch, aekit::Mode::Training), infer(arch, aekit::Mode::Inference);
            train.initWeights(7);
            infer.setWeights(train.weights());
            infer.setOutputStrips(32);
            for (const auto& [H, W, rows] : {std::tuple{16, 48, 16}, std::tuple{64, 32, 32}, std::tuple{128, 48, 32},
                                            std::tuple{48, 64, 24}}) {
                CAPTURE(H);
                CAPTURE(W);
                train.setShape(1, H, W);
                infer.setShape(1, H, W);
                CHECK(infer.outputStripRows() == rows);
                const auto x = randomFloatVec(size_t(arch.inChannels) * H * W, uint64_t(H * 100 + W), 0, 1);
                std::copy(x.begin(), x.end(), train.input());
                std::copy(x.begin(), x.end(), infer.input());
                train.forward();
                infer.forward();
                const int C = arch.outChannels;
                for (int y0 = 0; y0 < H; y0 += rows) {
                    CAPTURE(y0);
                    const float* strip = infer.outputRows(y0);
                    std::vector<double> expected;
                    for (int c = 0; c < C; ++c)
                        for (int y = y0; y < y0 + rows; ++y)
                            for (int col = 0; col < W; ++col) expected.push_back(train.output()[(size_t(c) * H + y) * W + col]);
                    checkClose(strip, expected, expected.size(), 1e-4, "output strip");
                }
                CHECK_THROWS_AS(infer.outputRows(rows / 2), aekit::Error);  // not a strip's first row
            }
        }
    aekit::setConvAlgorithm(aekit::ConvAlgorithm::Auto);
}
