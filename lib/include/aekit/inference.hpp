// SPDX-License-Identifier: Apache-2.0
// Running a trained model on whole images of any size, in bounded memory: the image is reflect-padded
// at its bottom and right up to the network's alignment, cut into tiles on the alignment grid that overlap by
// the context the network measurably uses (so tiled and whole-image results agree), then cropped.
// Task front ends: denoise, colorize, reconstruct.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "aekit/image.hpp"
#include "aekit/model.hpp"
#include "aekit/network.hpp"

namespace aekit {

struct InferenceOptions {
    int tile = 0;                   // tile side in pixels (0: as large as the memory budget allows)
    bool raiseSmallTile = false;    // a tile below smallestUsefulTile() is raised to it (else only to what is valid)
    uint64_t maxMemoryMB = 1536;    // budget for one image: its buffers plus the network's tiles
    // A budget the user set is a ceiling: an image it cannot hold with tiles that do useful work is
    // refused, naming the budget it needs. The default budget grows to that instead.
    bool maxMemoryIsCeiling = false;
    // colorize: working resolution (long side), 0 = full resolution; -1: the model's (512 unless its
    // file records another: the scale it learnt at).
    int colorizeSize = -1;
    // colorize with an ab-bin classifier: how a pixel's distribution becomes a colour, "mean" or
    // "neutral-or-colour" (see AbBins::Rule); empty: the model's.
    std::string colourDecode;
    bool guidedColour = true;       // colorize: upsample the colour guided by the full-resolution L (else bilinear)
    // Colorize with an ab-bin classifier: 0 (faithful: the least-squares colour) to 1 (vivid: rare,
    // saturated colours favoured, as trained); -1: the model's default.
    double vividness = -1;
    Precision precision = Precision::F32;  // bf16: about 2x faster on AVX512-BF16 CPUs
    // Denoise: 1, or 8 to average the model's outputs over the image's 8 flips and rotations (the
    // self-ensemble: 8x the time, no extra memory, a little more PSNR).
    int ensemble = 1;

    // The one check of these options (the commands call it right after parsing, ImageModel again):
    // throws Error(InvalidArgument) naming the option as the command line spells it.
    void check() const;
};

// The largest image (in pixels) a folder's pipeline may read ahead or write behind beside the one
// being computed, within the memory budget (0 under a ceiling: the network's tiles fill it).
uint64_t pipelineImagePixels(const InferenceOptions& options);

// The model file's metadata entry "aekit.context" for a measured context radius (what training and
// `aekit info --record-context` write; ImageModel then overlaps tiles by it without measuring).
std::string contextMetadata(int radius);

class ImageModel {
public:
    ImageModel(Model model, const InferenceOptions& options);
    ~ImageModel();
    const Model& model() const;

    // planes: C x H x W (C = model input channels) -> model output planes, outC x H x W.
    std::vector<float> run(const float* planes, int H, int W);
    // The tile side used for an image of H x W (for reports and tests).
    int tileFor(int H, int W);
    // The smallest tile side that does useful work (keeps at least half of each side): a smaller
    // --tile is raised to it.
    int smallestUsefulTile() const;
    // Pixels by which tiles overlap on each inner edge: the context the network was measured to use
    // (outputs within 0.5/255 of the whole image's; from the model file's aekit.context, else measured
    // now) plus one alignment step; a colorizer's is half its receptive field. contextRadius(): that
    // radius (-1 for a colorizer); contextMeasureSeconds(): what measuring it here took (0: from the file).
    int tileOverlap();
    // What a tile's network buffers cost, measured when the model was loaded: bytes per tile pixel,
    // plus bytes that do not grow with the tile.
    double tileBytesPerPixel() const;
    double tileFixedBytes() const;
    int contextRadius();
    double contextMeasureSeconds() const;
    // Seconds of one pass of the network over a side x side input of noise (side rounded up to the
    // alignment), as inference runs it (a colorizer's class scores a strip at a time, without their
    // decoding): what `aekit bench --model` times. The next image re-plans the network's shape.
    double timeNetworkPass(int side);
    // Hands back the network's buffers, which it keeps between images as far as the budget allows:
    // a caller switching to another model calls it, so that the budget holds one model's at a time.
    void releaseMemory();

    // Denoise: image channels must match the model's (Error otherwise), except that a colour model takes a
    // grey image as three equal channels and returns the luma of its output. sigma > 0: remove at most noise of
    // that level (0-255 scale): the output is blended back toward the input when the noise the model took
    // out has a higher standard deviation than sigma. Alpha, depth and metadata are kept.
    Image denoise(const Image& image, double sigma = 0);
    // The same on an image given up: without sigma or the ensemble, the output replaces its pixels
    // a band of rows at a time, so the image's memory is held once (larger tiles in the same budget).
    Image denoise(Image&& image, double sigma = 0);
    // Colorize: a colour image from the image's lightness (L kept at full resolution, ab from the model
    // at the working resolution, upsampled). notes gets a line when the input was already in colour.
    Image colorize(const Image& image, std::vector<std::string>* notes = nullptr);
    // The same on an image given up: its pixels are released once its lightness is taken.
    Image colorize(Image&& image, std::vector<std::string>* notes = nullptr);
    // Reconstruct (autoencoder output) of an image with the model's channels.
    Image reconstruct(const Image& image);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aekit
