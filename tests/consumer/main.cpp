// SPDX-License-Identifier: Apache-2.0
// Uses the installed aekit through its public headers only.
#include <aekit/architecture.hpp>
#include <aekit/network.hpp>
#include <cstdio>
int main() {
    aekit::Network net(aekit::Architecture::benchUnet(), aekit::Mode::Inference);
    net.initWeights(1);
    net.setShape(1, 16, 16);
    net.forward();
    std::printf("consumer ok: %lld parameters\n", static_cast<long long>(net.parameterCount()));
}
