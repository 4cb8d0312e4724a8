// SPDX-License-Identifier: Apache-2.0
// The camera noise model (noise spec `camera:ISO` or `camera:LO-HI`): a clean sRGB photo is taken
// back through a simulated camera. Unprocess (inverse tone curve and gamma, inverse colour matrix,
// inverse white balance), mosaic to a Bayer pattern, add heteroscedastic Poisson-Gaussian noise to
// the linear raw values, then process as a camera does (demosaic, white balance, colour matrix,
// gamma and tone curve, noise reduction that smooths chroma more than luma, sharpening, JPEG with
// 4:2:0 chroma subsampling). Only the noise of that pipeline is kept: the output is the input plus
// (pipeline with noise - pipeline without noise), so the clean photo stays the exact target. The
// stages are exposed for tests; docs/camera-noise.md gives the parameters, their ranges and the
// measurements they are matched to.
#pragma once
#include <cstdint>
#include <vector>

#include "aekit/image.hpp"
#include "aekit/random.hpp"

namespace aekit::camera {

struct Parameters {
    double iso = 1600;
    double shot = 0, read = 0;          // raw noise variance = shot * x + read, x linear in [0, 1]
    double redGain = 2, blueGain = 1.7;  // white balance gains (raw = linear / gain)
    double saturation = 1.6;             // diagonal of the camera-to-sRGB colour matrix (rows sum to 1)
    int bayerPhase = 0;                  // 0 RGGB, 1 GRBG, 2 GBRG, 3 BGGR
    bool edgeAwareDemosaic = false;      // OpenCV's edge-aware demosaicing, else bilinear
    double chromaBlur = 1, chromaAmount = 0.6;  // in-camera noise reduction: chroma blended with its Gaussian blur
    double lumaBlur = 0.8, lumaAmount = 0.5;  // and on luma, blended in by amount (0 = none)
    double sharpen = 0.5;                // unsharp mask amount on luma (radius 1 px)
    int jpegQuality = 0;                 // 0 = no JPEG, else 1-100 (4:2:0)
    double downscale = 1;                // > 1: a sensor this much larger, its photo then resized down
    bool lumaGrain = false;              // noise reduction that removes chroma noise, leaving luma grain
};

// Share of cameras whose noise reduction leaves luma grain only (see draw()).
constexpr double kLumaGrainShare = 0.35;

// Shot noise per ISO: shot = kShotPerIso * ISO, so ISO 100 gives 1e-4 and ISO 12800 1.28e-2, the range
// Brooks et al. (2019) measured across phones and DSLRs; the read variance follows the shot noise
// along their log-log fit with its scatter.
constexpr double kShotPerIso = 1e-6;

// Draws one camera (ISO log-uniform in [isoLo, isoHi], everything else from the documented ranges).
Parameters draw(double isoLo, double isoHi, Random& rng);

// Raw stage, in place: x + sqrt(shot * max(x, 0) + read) * N(0, 1) (Gaussian approximation of Poisson
// shot noise plus Gaussian read noise).
void addRawNoise(std::vector<float>& raw, double shot, double read, Random& rng);

// The whole pipeline's output for a clean RGB image (3 channels, [0,1]): the camera's rendering with
// noise minus its rendering without, added to the image, rounded to 8 bits.
void applyCamera(Image& image, const Parameters& p, Random& rng);

}  // namespace aekit::camera
