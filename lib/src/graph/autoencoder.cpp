// SPDX-License-Identifier: Apache-2.0
// The autoencoder's graph: one op per layer of Architecture::layers(), in its order.
#include "graph/autoencoder.hpp"

namespace aekit::graph {

void buildAutoencoder(Graph& g, const Architecture& a) {
    Tensor* x = g.input(a.inChannels);
    Tensor* t = x;
    std::vector<Tensor*> skips;  // by level: the input of that level's pooling
    for (const Layer& layer : a.layers()) {
        switch (layer.kind) {
            case LayerKind::Conv3x3: t = g.conv(layer.name, t, layer.outChannels, 3, layer.activation); break;
            case LayerKind::MaxPool2x2:
                skips.push_back(t);
                t = g.maxPool(layer.name, t);
                break;
            case LayerKind::Upsample2x: t = g.upsample(layer.name, t, a.upsample == Upsample::Bilinear); break;
            case LayerKind::Deconv2x2: t = g.deconv(layer.name, t, layer.outChannels); break;
            case LayerKind::Concat: {
                std::vector<Tensor*> srcs{t, skips.at(size_t(layer.level))};  // order [upsampled, skip] (bench-unet contract)
                if (layer.withInput) srcs.push_back(x);
                t = g.concat(layer.name, srcs);
                break;
            }
            case LayerKind::Residual: t = g.binary(layer.name, x, t, true); break;  // input - predicted noise
        }
        // The code: the output of the last convolution at the coarsest level.
        if (layer.kind == LayerKind::Conv3x3 && layer.level == a.levels()) g.setCode(t);
    }
    g.setOutput(t);
}

}  // namespace aekit::graph
