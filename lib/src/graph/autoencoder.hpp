// SPDX-License-Identifier: Apache-2.0
// Builds the autoencoder graph of an Architecture from its list of layers (Architecture::layers():
// encoder levels of convs and 2x2 max pooling, code, decoder levels of 2x upsampling, skip concat
// and convs, output conv, optional residual). Layer names are the tensor names in the model file.
#pragma once
#include "aekit/architecture.hpp"
#include "graph/graph.hpp"

namespace aekit::graph {

void buildAutoencoder(Graph& g, const Architecture& arch);

}  // namespace aekit::graph
