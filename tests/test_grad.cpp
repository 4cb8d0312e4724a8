// SPDX-License-Identifier: Apache-2.0
// Tier 2: backward passes against central finite differences. First the reference ops in double
// (so the oracle of tier 1 is itself checked), then a whole small oneDNN network's loss with
// respect to its weights and its input.
#include <doctest/doctest.h>

#include <functional>

#include "aekit/loss.hpp"
#include "aekit/network.hpp"
#include "support/reference_ops.hpp"
#include "support/test_util.hpp"

using testutil::randomVec;
using Vec = std::vector<double>;

namespace {

double dot(const Vec& a, const Vec& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Checks analytic d/dx of f against central differences, element by element.
void checkGradient(const std::function<double(const Vec&)>& f, Vec x, const Vec& analytic, const char* what) {
    CAPTURE(what);
    const double h = 1e-6;
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double keep = x[i];
        x[i] = keep + h;
        const double up = f(x);
        x[i] = keep - h;
        const double down = f(x);
        x[i] = keep;
        const double numeric = (up - down) / (2 * h);
        worst = std::max(worst, std::abs(numeric - analytic[i]) / (1 + std::abs(numeric)));
    }
    CAPTURE(worst);
    CHECK(worst < 1e-6);
}

}  // namespace

TEST_CASE("grad: reference convolution (data, weights, bias)") {
    for (int K : {1, 3}) {
        const ref::Shape s{2, 3, 5, 4};
        const int OC = 2;
        auto x = randomVec(s.size(), 1), w = randomVec(size_t(OC) * 3 * K * K, 2), b = randomVec(OC, 3);
        auto r = randomVec(size_t(2) * OC * 5 * 4, 4);
        Vec dW, dB;
        auto dX = ref::convBackward(x, s, w, OC, K, r, dW, dB);
        checkGradient([&](const Vec& v) { return dot(ref::conv(v, s, w, b, OC, K), r); }, x, dX, "conv diff_src");
        checkGradient([&](const Vec& v) { return dot(ref::conv(x, s, v, b, OC, K), r); }, w, dW, "conv diff_weights");
        checkGradient([&](const Vec& v) { return dot(ref::conv(x, s, w, v, OC, K), r); }, b, dB, "conv diff_bias");
    }
}

TEST_CASE("grad: reference transposed convolution") {
    const ref::Shape s{2, 3, 3, 2};
    const int OC = 4;
    auto x = randomVec(s.size(), 5), w = randomVec(size_t(OC) * 3 * 4, 6), r = randomVec(size_t(2) * OC * 6 * 4, 7);
    Vec dW;
    auto dX = ref::deconvBackward(x, s, w, OC, r, dW);
    checkGradient([&](const Vec& v) { return dot(ref::deconv(v, s, w, OC), r); }, x, dX, "deconv diff_src");
    checkGradient([&](const Vec& v) { return dot(ref::deconv(x, s, v, OC), r); }, w, dW, "deconv diff_weights");
}

TEST_CASE("grad: reference max pooling and upsampling") {
    const ref::Shape s{2, 3, 4, 6};
    auto x = randomVec(s.size(), 8);  // continuous: no ties, so max pooling is differentiable here
    auto rp = randomVec(size_t(2) * 3 * 2 * 3, 9);
    checkGradient([&](const Vec& v) { return dot(ref::maxPool(v, s), rp); }, x, ref::maxPoolBackward(x, s, rp),
                  "maxpool diff_src");
    auto ru = randomVec(size_t(2) * 3 * 8 * 12, 10);
    for (bool bilinear : {false, true})
        checkGradient([&](const Vec& v) { return dot(ref::upsample(v, s, bilinear), ru); }, x,
                      ref::upsampleBackward(s, ru, bilinear), bilinear ? "bilinear diff_src" : "nearest diff_src");
}

TEST_CASE("grad: reference activations") {
    for (auto a : {ref::Act::ReLU, ref::Act::LeakyReLU, ref::Act::Sigmoid, ref::Act::Tanh}) {
        auto x = randomVec(50, 11, -3, 3);
        auto r = randomVec(50, 12);
        Vec analytic(x.size());
        for (size_t i = 0; i < x.size(); ++i) analytic[i] = r[i] * ref::actDerivative(a, x[i]);
        checkGradient(
            [&](const Vec& v) {
                double s = 0;
                for (size_t i = 0; i < v.size(); ++i) s += ref::act(a, v[i]) * r[i];
                return s;
            },
            x, analytic, "activation");
    }
}

TEST_CASE("grad: losses and code penalties against finite differences") {
    const int64_t n = 24;
    auto y = randomVec(n, 13, 0.05, 0.95), t = randomVec(n, 14, 0, 1);
    for (auto kind : {aekit::LossKind::MSE, aekit::LossKind::L1, aekit::LossKind::BCE}) {
        CAPTURE(aekit::toString(kind));
        auto eval = [&](const Vec& v, std::vector<float>* grad) {
            std::vector<float> yf(v.begin(), v.end()), tf(t.begin(), t.end()), g(n);
            const double l = aekit::lossAndGradient(kind, yf.data(), tf.data(), g.data(), n);
            if (grad) *grad = g;
            return l;
        };
        std::vector<float> g;
        eval(y, &g);
        // float inputs: a coarser step and tolerance than the double reference checks.
        for (int64_t i = 0; i < n; ++i) {
            Vec up = y, down = y;
            up[i] += 1e-3;
            down[i] -= 1e-3;
            const double numeric = (eval(up, nullptr) - eval(down, nullptr)) / 2e-3;
            CHECK(numeric == doctest::Approx(g[i]).epsilon(2e-2).scale(1e-3));
        }
    }
    for (const char* spec : {"l1:0.5", "kl:0.1:0.7"}) {
        CAPTURE(spec);
        const auto s = aekit::Sparsity::parse(spec);
        const int64_t N = 2, C = 3, HW = 4;
        auto z = randomVec(N * C * HW, 15, 0.05, 0.6);
        auto eval = [&](const Vec& v, std::vector<float>* grad) {
            std::vector<float> zf(v.begin(), v.end()), g(v.size());
            const double p = aekit::sparsityPenalty(s, zf.data(), g.data(), N, C, HW);
            if (grad) *grad = g;
            return p;
        };
        std::vector<float> g;
        eval(z, &g);
        for (size_t i = 0; i < z.size(); ++i) {
            Vec up = z, down = z;
            up[i] += 1e-3;
            down[i] -= 1e-3;
            const double numeric = (eval(up, nullptr) - eval(down, nullptr)) / 2e-3;
            CHECK(numeric == doctest::Approx(g[i]).epsilon(2e-2).scale(1e-3));
        }
    }
}

namespace {

// A loss of the logits (loss(logits, grad) assigns grad) against central finite differences.
void checkCrossEntropyGradient(const Vec& logits, const std::function<double(const float*, float*)>& loss) {
    auto eval = [&](const Vec& v, std::vector<float>* grad) {
        std::vector<float> lf(v.begin(), v.end()), g(v.size());
        const double l = loss(lf.data(), g.data());
        if (grad) *grad = g;
        return l;
    };
    std::vector<float> g;
    eval(logits, &g);
    for (size_t i = 0; i < logits.size(); ++i) {
        Vec up = logits, down = logits;
        up[i] += 1e-3;
        down[i] -= 1e-3;
        CHECK((eval(up, nullptr) - eval(down, nullptr)) / 2e-3 == doctest::Approx(g[i]).epsilon(2e-2).scale(1e-3));
    }
}

}  // namespace

TEST_CASE("grad: softmax cross-entropy against finite differences") {
    const int64_t N = 2, C = 5, HW = 3;
    auto logits = randomVec(N * C * HW, 16, -2, 2);
    std::vector<int32_t> labels{0, 4, 2, 1, 3, 3};
    std::vector<float> w{1.f, 0.5f, 2.f, 1.5f, 0.7f};
    checkCrossEntropyGradient(logits, [&](const float* l, float* g) {
        return aekit::softmaxCrossEntropy(l, labels.data(), w.data(), g, N, C, HW);
    });
}

TEST_CASE("grad: softmax cross-entropy with soft labels (4 classes a pixel, shares) against finite differences") {
    const int64_t N = 2, C = 5, HW = 3;
    const int K = 4;
    auto logits = randomVec(N * C * HW, 17, -2, 2);
    // Per pixel 4 classes (one repeated, as two corners of a bilinear cell can share a bin) and shares summing to 1.
    std::vector<int32_t> labels(size_t(N * K * HW));
    std::vector<float> shares(labels.size());
    for (int64_t b = 0; b < N; ++b)
        for (int64_t i = 0; i < HW; ++i) {
            const float t[4] = {0.1f, 0.2f, 0.3f, 0.4f};
            for (int k = 0; k < K; ++k) {
                labels[size_t((b * K + k) * HW + i)] = int32_t((b + i + (k == 3 ? 0 : k)) % C);
                shares[size_t((b * K + k) * HW + i)] = t[k];
            }
        }
    std::vector<float> w{1.f, 0.5f, 2.f, 1.5f, 0.7f};
    checkCrossEntropyGradient(logits, [&](const float* l, float* g) {
        return aekit::softmaxCrossEntropy(l, labels.data(), shares.data(), K, w.data(), g, N, C, HW);
    });
    // One label with share 1 is the hard loss.
    std::vector<int32_t> hard{0, 4, 2, 1, 3, 3};
    std::vector<float> one(hard.size(), 1.f), g1(logits.size()), g2(logits.size());
    std::vector<float> lf(logits.begin(), logits.end());
    CHECK(aekit::softmaxCrossEntropy(lf.data(), hard.data(), one.data(), 1, w.data(), g1.data(), N, C, HW) ==
          doctest::Approx(aekit::softmaxCrossEntropy(lf.data(), hard.data(), w.data(), g2.data(), N, C, HW)));
    CHECK(g1 == g2);
}

namespace {

// The loss of a whole network for its current weights and a fixed input and target.
double networkLoss(aekit::Network& net, const std::vector<float>& x, const std::vector<float>& t) {
    std::copy(x.begin(), x.end(), net.input());
    net.forward();
    std::vector<float> g(t.size());
    return aekit::lossAndGradient(aekit::LossKind::MSE, net.output(), t.data(), g.data(), int64_t(t.size()));
}

void checkWholeNetwork(const aekit::Architecture& arch) {
    aekit::Network net(arch, aekit::Mode::Training);
    net.initWeights(7);
    net.requestInputGradient();
    const int N = 2, H = 8, W = 12;
    net.setShape(N, H, W);
    const size_t inN = size_t(N) * arch.inChannels * H * W, outN = size_t(N) * arch.outChannels * H * W;
    auto xd = randomVec(inN, 21, 0, 1), td = randomVec(outN, 22, 0, 1);
    std::vector<float> x(xd.begin(), xd.end()), t(td.begin(), td.end());

    std::copy(x.begin(), x.end(), net.input());
    net.forward();
    aekit::lossAndGradient(aekit::LossKind::MSE, net.output(), t.data(), net.outputGradient(), int64_t(outN));
    net.backward();
    std::vector<float> inputGrad(net.inputGradient(), net.inputGradient() + inN);
    auto params = net.params();
    std::vector<std::vector<float>> grads;
    for (auto& p : params) grads.emplace_back(p.grad, p.grad + p.size);

    // Directional derivatives along random directions: robust in float, and they cover every
    // weight at once. Each parameter tensor separately, so a wrong layer is named. Max pooling makes
    // the loss piecewise smooth: a step that crosses an argmax switch biases the central difference
    // (it converges as the step shrinks), so the closest of three steps must agree.
    auto agrees = [](const std::function<double(double)>& loss, double analytic, double scale) {
        double best = INFINITY;
        for (double eps : {1e-3, 3e-4, 1e-4}) best = std::min(best, std::abs((loss(eps) - loss(-eps)) / (2 * eps) - analytic));
        CAPTURE(analytic);
        CAPTURE(best);
        CHECK(best <= 3e-2 * std::abs(analytic) + 1e-3 * scale + 1e-5);
    };
    for (size_t k = 0; k < params.size(); ++k) {
        CAPTURE(params[k].name);
        auto dir = randomVec(size_t(params[k].size), 100 + k);
        std::vector<float> keep(params[k].value, params[k].value + params[k].size);
        double analytic = 0, scale = 0;
        for (int64_t i = 0; i < params[k].size; ++i) {
            analytic += grads[k][i] * dir[i];
            scale += std::abs(grads[k][i] * dir[i]);
        }
        agrees(
            [&](double s) {
                for (int64_t i = 0; i < params[k].size; ++i) params[k].value[i] = static_cast<float>(keep[i] + s * dir[i]);
                net.weightsChanged();
                return networkLoss(net, x, t);
            },
            analytic, scale);
        std::copy(keep.begin(), keep.end(), params[k].value);
        net.weightsChanged();
    }
    auto dir = randomVec(inN, 99);
    double analytic = 0, scale = 0;
    for (size_t i = 0; i < inN; ++i) {
        analytic += inputGrad[i] * dir[i];
        scale += std::abs(inputGrad[i] * dir[i]);
    }
    agrees(
        [&](double s) {
            std::vector<float> xs(inN);
            for (size_t i = 0; i < inN; ++i) xs[i] = static_cast<float>(x[i] + s * dir[i]);
            return networkLoss(net, xs, t);
        },
        analytic, scale);
}

}  // namespace

TEST_CASE("grad: whole network loss with respect to weights and input") {
    aekit::Architecture a;
    a.inChannels = a.outChannels = 3;
    a.encoder = {5, 8};
    a.code = 6;
    a.decoder = {4, 7};
    a.convsPerLevel = 2;
    a.activation = aekit::Activation::Tanh;  // smooth, so finite differences are meaningful
    a.codeActivation = aekit::Activation::Tanh;
    SUBCASE("U-Net, nearest upsampling, residual") { checkWholeNetwork(a); }
    SUBCASE("U-Net, bilinear, input skip, no residual") {
        a.upsample = aekit::Upsample::Bilinear;
        a.inputSkip = true;
        a.residual = false;
        checkWholeNetwork(a);
    }
    SUBCASE("plain autoencoder, deconvolution, sigmoid output") {
        a.skips = false;
        a.residual = false;
        a.upsample = aekit::Upsample::Deconv;
        a.outputActivation = aekit::Activation::Sigmoid;
        a.inChannels = 1;
        a.outChannels = 2;
        checkWholeNetwork(a);
    }
}

// bf16 (AVX512-BF16 CPUs only): the same network's output and parameter gradients stay close to
// f32's. bf16 keeps 8 significant bits, so "close" is a relative L2 error of a few percent.
TEST_CASE("grad: bf16 output and gradients agree with f32") {
    if (!aekit::bf16Supported()) {
        MESSAGE("skipped: this CPU has no AVX512-BF16");
        return;
    }
    aekit::Architecture a;
    a.encoder = {16, 32};
    a.code = 32;
    a.decoder = {16, 32};
    a.inputSkip = true;
    const int N = 2, H = 32, W = 32;
    const int64_t n = int64_t(N) * 3 * H * W;
    const Vec x = randomVec(size_t(n), 0, 1, 11), t = randomVec(size_t(n), 0, 1, 12);
    auto run = [&](aekit::Precision p, std::vector<float>& out, std::vector<float>& grads) {
        aekit::Network net(a, aekit::Mode::Training, p);
        net.initWeights(3);
        net.setShape(N, H, W);
        std::copy(x.begin(), x.end(), net.input());
        net.forward();
        out.assign(net.output(), net.output() + n);
        std::vector<float> target(t.begin(), t.end());
        aekit::lossAndGradient(aekit::LossKind::MSE, net.output(), target.data(), net.outputGradient(), n);
        net.backward();
        grads.clear();
        for (const auto& pv : net.params()) grads.insert(grads.end(), pv.grad, pv.grad + pv.size);
    };
    std::vector<float> out32, g32, out16, g16;
    run(aekit::Precision::F32, out32, g32);
    run(aekit::Precision::BF16, out16, g16);
    auto relative = [](const std::vector<float>& ref, const std::vector<float>& v) {
        double num = 0, den = 0;
        for (size_t i = 0; i < ref.size(); ++i) {
            num += (double(v[i]) - ref[i]) * (double(v[i]) - ref[i]);
            den += double(ref[i]) * ref[i];
        }
        return std::sqrt(num / den);
    };
    const double outErr = relative(out32, out16), gradErr = relative(g32, g16);
    CAPTURE(outErr);
    CAPTURE(gradErr);
    CHECK(outErr < 2e-2);
    CHECK(gradErr < 5e-2);
    CHECK(outErr > 0);  // bf16 really ran: its rounding shows
}
