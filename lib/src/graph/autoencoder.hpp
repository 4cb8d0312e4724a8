// SPDX-License-Identifier: Apache-2.0
// Builds the autoencoder graph of an Architecture: encoder levels (convs, 2x2 max pooling), code,
// decoder levels (2x upsampling, optional skip concat, convs), output conv, optional residual.
// Layer names here are the tensor names in the model file.
#pragma once
#include "aekit/architecture.hpp"
#include "graph/graph.hpp"

namespace aekit::graph {

void buildAutoencoder(Graph& g, const Architecture& arch);

}  // namespace aekit::graph
