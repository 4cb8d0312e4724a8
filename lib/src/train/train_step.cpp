// SPDX-License-Identifier: Apache-2.0
// One training step (see aekit/train_step.hpp).
#include "aekit/train_step.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "aekit/error.hpp"

namespace aekit {

StepResult trainStep(Network& net, Optimizer& optimizer, const Objective& objective, const StepData& data, double lr,
                     double clip, const GradientReduce& reduce) {
    const int N = net.batch(), H = net.height(), W = net.width();
    const Architecture& a = net.architecture();
    const int64_t plane = int64_t(H) * W;
    std::copy(data.input, data.input + int64_t(N) * a.inChannels * plane, net.input());
    net.forward();
    StepResult r;
    if (objective.classWeights)
        r.loss = softmaxCrossEntropy(net.output(), data.labels, data.labelShares, data.labelsPerPixel, objective.classWeights, net.outputGradient(), N,
                                     a.outChannels, plane);
    else
        r.loss = lossAndGradient(objective.loss, net.output(), data.target, net.outputGradient(),
                                 int64_t(N) * a.outChannels * plane);
    if (objective.sparsity.kind != Sparsity::Kind::None) {
        const auto code = net.codeShape();
        r.loss += sparsityPenalty(objective.sparsity, net.code(), net.codeGradient(), code[0], code[1], code[2] * code[3]);
    }
    auto diverged = [&] {
        fail(ErrorKind::Internal, "training diverged at step " + std::to_string(optimizer.steps()) +
                                      " (loss is not finite); lower --lr or keep --clip on");
    };
    if (!reduce && !std::isfinite(r.loss)) diverged();
    net.backward();
    if (reduce) {
        // Every rank sees the same mean loss, so all stop together when one rank's is not finite.
        reduce(optimizer.params(), r.loss);
        if (!std::isfinite(r.loss)) diverged();
    }
    r.gradientNorm = clipGradientNorm(optimizer.params(), clip);
    optimizer.step(lr);
    return r;
}

}  // namespace aekit
