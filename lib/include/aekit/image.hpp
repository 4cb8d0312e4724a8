// SPDX-License-Identifier: Apache-2.0
// Images as aekit sees them: planar float RGB or gray in [0,1], plus what must survive a round
// trip untouched (bit depth, alpha, metadata source). Reading and writing go through OpenCV and
// exiv2 (the only users of those libraries); writes are atomic.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace aekit {

struct Image {
    int width = 0, height = 0;
    int channels = 0;             // colour channels: 1 (gray) or 3 (RGB); alpha is separate
    int bitDepth = 8;             // 8 or 16: the depth the image came with and is written back at
    std::vector<float> pixels;    // channels x height x width, planar, RGB order, nominally [0,1]
    std::vector<uint16_t> alpha;  // height x width raw alpha values at bitDepth; empty when none
    std::string metadataSource;   // file whose EXIF/IPTC/XMP/ICC the writer copies; empty for none

    int64_t planeSize() const { return int64_t(width) * height; }
    float* plane(int c) { return pixels.data() + c * planeSize(); }
    const float* plane(int c) const { return pixels.data() + c * planeSize(); }
    static Image blank(int width, int height, int channels, int bitDepth = 8);
};

struct ReadOptions {
    uint64_t maxPixels = 200'000'000;  // decompression-bomb guard; width * height above it is refused
    uint64_t maxFileBytes = 2ull << 30;
    // What the decoding libraries print (libpng, libjpeg) is captured and folded into aekit's error
    // line, or, for a file that decodes with a warning, appended here when given. Capture takes the
    // whole process's stderr: where other threads may print meanwhile, they take stderrLock() first,
    // or this is off.
    bool captureLibraryMessages = true;
    std::vector<std::string>* notes = nullptr;
};

// Held while a decoder's messages are captured: a thread that prints to stderr while another may be
// decoding takes it first (wait false: try only; the lock then may not own the mutex).
std::unique_lock<std::mutex> stderrLock(bool wait = true);

// Reads PNG, JPEG, TIFF, BMP or WebP; applies the EXIF orientation. Throws Error naming the file and
// the problem (missing, unreadable, empty, not an image, truncated, zero pixels, over the limit,
// unsupported depth).
Image readImage(const std::string& path, const ReadOptions& options = {});
Image decodeImage(const uint8_t* data, size_t size, const std::string& name, const ReadOptions& options = {});

struct WriteOptions {
    // JPEG and WebP quality, 1-100; 0: the default (JPEG 95, WebP lossless). Other formats are lossless.
    int quality = 0;
};

// Writes in the format the extension names (.png .jpg .jpeg .tif .tiff .bmp .webp), atomically:
// temporary file, metadata copied from image.metadataSource (EXIF, IPTC, XMP and the ICC profile;
// orientation reset, since pixels are already upright), flush, rename. Formats that cannot hold 16
// bits, alpha or a profile get 8 bits or lose alpha or the profile; each such loss is returned as a
// note for the user.
std::vector<std::string> writeImage(const std::string& path, const Image& image, const WriteOptions& options = {});
// The file writeImage would write, in memory (format: "png", ".jpg", ...), without metadata: for
// standard output. Losses (depth, alpha) are appended to notes when given.
std::vector<uint8_t> encodeImage(const Image& image, const std::string& format, const WriteOptions& options = {},
                                 std::vector<std::string>* notes = nullptr);

bool isImagePath(const std::string& path);  // by extension
bool isLossyImagePath(const std::string& path);
// A path's extension, lower case, with .jpeg and .tiff spelt as --format spells them (".jpg", ".tif").
std::string imageFormatOf(const std::string& path);  // JPEG or WebP by extension: what --quality applies to
// Width x height as the file's header declares it, read from its first megabyte without decoding;
// 0 when the header does not tell (a missing or malformed file, or not a regular file: reading it
// will say why).
uint64_t declaredPixels(const std::string& path);
std::vector<std::string> imageExtensions();

// Pixels clipped to [0,1] and rounded to the image's bit depth (what a writer would store).
void quantize(Image& image);

// Resize of every plane (alpha dropped): area averaging when shrinking, bilinear when enlarging.
Image resizeImage(const Image& image, int width, int height);

}  // namespace aekit
