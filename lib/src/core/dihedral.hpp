// SPDX-License-Identifier: Apache-2.0
// The 8 flips and rotations of an image (the dihedral group): training's patch augmentation and
// inference's self-ensemble both read pixels through one of them.
#pragma once
#include <cstdint>

namespace aekit {

struct Dihedral {
    bool transpose = false, flipX = false, flipY = false;
    static Dihedral nth(int k) { return {(k & 4) != 0, (k & 1) != 0, (k & 2) != 0}; }
    bool identity() const { return !transpose && !flipX && !flipY; }
    // The source pixel shown at (ty, tx) of the transformed image (TH x TW), as an offset from the
    // source's origin; W: the source's row length.
    int64_t sourceIndex(int ty, int tx, int TH, int TW, int W) const {
        if (flipY) ty = TH - 1 - ty;
        if (flipX) tx = TW - 1 - tx;
        return transpose ? int64_t(tx) * W + ty : int64_t(ty) * W + tx;
    }
};

}  // namespace aekit
