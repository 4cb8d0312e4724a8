// SPDX-License-Identifier: Apache-2.0
// Concatenation along channels: forward a reorder per source into its channel view of dst (oneDNN's
// concat primitive for sources a blocked layout cannot view); backward copies each source's channel
// range of dst's gradient out through a sub-memory view (a reorder per source).
#pragma once
#include "ops/op.hpp"

namespace aekit::ops {

class Concat : public Op {
public:
    Concat(std::string name, std::vector<Tensor*> srcs);  // all N x Ci x H x W -> N x sum(Ci) x H x W
    void finalize(Context& ctx) override;

private:
    void finalizeBackward(Context& ctx);
};

}  // namespace aekit::ops
