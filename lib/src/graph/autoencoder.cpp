// SPDX-License-Identifier: Apache-2.0
// The autoencoder as a list of graph ops, read top to bottom like the diagram in DESIGN.md.
#include "graph/autoencoder.hpp"

namespace aekit::graph {

namespace {
std::string layer(const std::string& stage, int level, int index) {
    return stage + std::to_string(level) + static_cast<char>('a' + index);
}
}  // namespace

void buildAutoencoder(Graph& g, const Architecture& a) {
    a.validate();
    const int L = a.levels();
    Tensor* x = g.input(a.inChannels);
    Tensor* t = x;
    std::vector<Tensor*> skips;
    for (int l = 0; l < L; ++l) {
        for (int c = 0; c < a.convsPerLevel; ++c) t = g.conv(layer("enc", l, c), t, a.encoder[l], 3, a.activation);
        skips.push_back(t);
        t = g.maxPool("pool" + std::to_string(l), t);
    }
    for (int c = 0; c < a.convsPerLevel; ++c) {
        const bool last = c + 1 == a.convsPerLevel;
        t = g.conv(std::string("code") + static_cast<char>('a' + c), t, a.code, 3,
                   last ? a.codeActivation : a.activation);
    }
    g.setCode(t);
    for (int l = L - 1; l >= 0; --l) {
        const std::string up = "up" + std::to_string(l);
        t = a.upsample == Upsample::Deconv ? g.deconv(up, t, t->channels)
                                           : g.upsample(up, t, a.upsample == Upsample::Bilinear);
        if (a.skips) {
            std::vector<Tensor*> srcs{t, skips[l]};  // order [upsampled, skip] (bench-unet contract)
            if (l == 0 && a.inputSkip) srcs.push_back(x);
            t = g.concat("concat" + std::to_string(l), srcs);
        }
        for (int c = 0; c < a.convsPerLevel; ++c) t = g.conv(layer("dec", l, c), t, a.decoder[l], 3, a.activation);
    }
    t = g.conv("out", t, a.outChannels, 3, a.outputActivation);
    if (a.residual) t = g.binary("residual", x, t, true);  // output = input - predicted noise
    g.setOutput(t);
}

}  // namespace aekit::graph
