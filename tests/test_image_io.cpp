// SPDX-License-Identifier: Apache-2.0
// Round trips of image files (formats, depths, channels, alpha, EXIF orientation, metadata) and
// bad inputs, on images the tests make.
#include <doctest/doctest.h>

#include <exiv2/exiv2.hpp>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "aekit/batch.hpp"
#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/metrics.hpp"
#include "support/icc.hpp"
#include "support/synthetic.hpp"
#include "support/temp_dir.hpp"

using namespace aekit;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

Image withAlpha(Image im) {
    im.alpha.resize(size_t(im.planeSize()));
    const int levels = im.bitDepth == 16 ? 65535 : 255;
    for (size_t i = 0; i < im.alpha.size(); ++i) im.alpha[i] = static_cast<uint16_t>((i * 37) % (levels + 1));
    return im;
}

Image deep(Image im) {
    im.bitDepth = 16;
    for (size_t i = 0; i < im.pixels.size(); ++i) im.pixels[i] = float((i * 7919) % 65536) / 65535.f;
    return im;
}

}  // namespace

TEST_CASE("image files: lossless formats round-trip exactly, with depth, channels and alpha kept") {
    testutil::TempDir dir;
    for (const char* ext : {".png", ".tif", ".bmp", ".webp"})
        for (int channels : {1, 3})
            for (int depth : {8, 16})
                for (bool alpha : {false, true}) {
                    const std::string e = ext;
                    const bool deepOk = e == ".png" || e == ".tif";
                    const bool alphaOk = e != ".bmp";
                    if ((depth == 16 && !deepOk) || (alpha && !alphaOk)) continue;
                    CAPTURE(e);
                    CAPTURE(channels);
                    CAPTURE(depth);
                    CAPTURE(alpha);
                    Image im = testutil::syntheticImage(13, 7, channels, 5);
                    if (depth == 16) im = deep(im);
                    if (alpha) im = withAlpha(im);
                    const std::string path = dir / ("x" + std::to_string(channels) + std::to_string(depth) + (alpha ? "a" : "") + e);
                    CHECK(writeImage(path, im).empty());  // nothing lost, nothing to say
                    const Image back = readImage(path);
                    CHECK(back.width == 13);
                    CHECK(back.height == 7);
                    CHECK(back.channels == channels);
                    CHECK(back.bitDepth == depth);
                    CHECK(back.alpha == im.alpha);
                    if (e == ".webp" && alpha) {
                        // libwebp may change colour under fully transparent pixels (invisible there).
                        for (int64_t i = 0; i < im.planeSize(); ++i)
                            if (im.alpha[size_t(i)] > 0)
                                for (int c = 0; c < channels; ++c) CHECK(back.plane(c)[i] == im.plane(c)[i]);
                    } else {
                        CHECK(back.pixels == im.pixels);
                    }
                }
}

TEST_CASE("image files: grey with alpha is written as grey+alpha, not RGBA") {
    testutil::TempDir dir;
    for (int depth : {8, 16}) {
        const Image im = depth == 16 ? withAlpha(deep(testutil::syntheticImage(9, 5, 1, 3)))
                                     : withAlpha(testutil::syntheticImage(9, 5, 1, 3));
        writeImage(dir / "ga.png", im);
        std::ifstream file(dir / "ga.png", std::ios::binary);
        const std::vector<unsigned char> png((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        REQUIRE(png.size() > 26);
        CHECK(int(png[24]) == depth);  // IHDR bit depth
        CHECK(int(png[25]) == 4);      // IHDR colour type 4: grey + alpha
        // TIFF: one grey sample plus alpha (2 samples per pixel), read back as grey with its alpha.
        writeImage(dir / "ga.tif", im);
        const Image back = readImage(dir / "ga.tif");
        CHECK(back.channels == 1);
        CHECK(back.alpha == im.alpha);
    }
}

TEST_CASE("image files: JPEG is close, and a 16-bit image written as JPEG says it became 8-bit") {
    testutil::TempDir dir;
    const Image im = testutil::syntheticImage(40, 30, 3, 6);
    writeImage(dir / "a.jpg", im);
    const Image back = readImage(dir / "a.jpg");
    CHECK(psnr(back, im) > 22);  // measured 26.2 (sharp colour edges, 4:2:0 chroma)
    const auto notes = writeImage(dir / "b.jpg", withAlpha(deep(im)));
    CHECK(notes.size() == 2);  // 8 bits, and alpha dropped
}

TEST_CASE("image files: EXIF orientation is applied on read, and metadata is copied to outputs") {
    testutil::TempDir dir;
    Image im = Image::blank(4, 2, 1);
    im.pixels = {0.f, 0.2f, 0.4f, 0.6f, 0.8f, 1.f, 0.f, 0.2f};
    quantize(im);
    writeImage(dir / "o.png", im);
    {
        auto meta = Exiv2::ImageFactory::open(dir / "o.png");
        meta->readMetadata();
        Exiv2::ExifData exif;
        exif["Exif.Image.Orientation"] = uint16_t(6);  // rotate 90 clockwise to display
        exif["Exif.Image.Artist"] = "aekit test";
        meta->setExifData(exif);
        meta->writeMetadata();
    }
    const Image up = readImage(dir / "o.png");
    REQUIRE(up.width == 2);
    REQUIRE(up.height == 4);
    // Rotated 90 clockwise: the first column of the new image is the old first row, bottom to top.
    CHECK(up.pixels[0] == im.pixels[4]);
    CHECK(up.pixels[1] == im.pixels[0]);
    writeImage(dir / "copy.png", up);
    auto meta = Exiv2::ImageFactory::open(dir / "copy.png");
    meta->readMetadata();
    auto& exif = meta->exifData();
    const bool hasArtist = exif.findKey(Exiv2::ExifKey("Exif.Image.Artist")) != exif.end();
    REQUIRE(hasArtist);
    CHECK(exif["Exif.Image.Artist"].toString() == "aekit test");
    CHECK(exif["Exif.Image.Orientation"].toLong() == 1);  // pixels are upright now
}

// Every format aekit writes that can hold a profile gets the input's, byte for byte, read back by
// the format's own library (not exiv2, which wrote the broken ones); EXIF still comes along. Without
// EXIF the writer skips exiv2 altogether, and the profile must still arrive.
TEST_CASE("image files: the ICC profile survives every output format, with EXIF beside it or without") {
    testutil::TempDir dir;
    for (const bool withExif : {true, false})
    for (const bool grey : {false, true}) {
        CAPTURE(withExif);
        CAPTURE(grey);
        const auto icc = testutil::makeIccProfile(grey);
        REQUIRE(testutil::writePngWithProfile(dir / "src.png", 24, 16, grey, icc));
        REQUIRE(testutil::pngProfile(dir / "src.png") == icc);
        if (withExif) {
            auto meta = Exiv2::ImageFactory::open(dir / "src.png");
            meta->readMetadata();
            Exiv2::ExifData exif;
            exif["Exif.Image.Artist"] = "aekit test";
            meta->setExifData(exif);
            meta->writeMetadata();
        }
        REQUIRE(testutil::pngProfile(dir / "src.png") == icc);
        const Image in = readImage(dir / "src.png");
        for (const std::string ext : {".png", ".jpg", ".tif", ".webp"}) {
            CAPTURE(ext);
            const std::string out = dir / ((grey ? "grey" : "colour") + ext);
            const auto notes = writeImage(out, in);
            CHECK(notes.empty());
            const auto back = testutil::embeddedProfile(out);
            INFO("format " << ext);
            CHECK(back.size() == icc.size());
            CHECK(back == icc);
            auto meta = Exiv2::ImageFactory::open(out);
            meta->readMetadata();
            const bool hasArtist = meta->exifData().findKey(Exiv2::ExifKey("Exif.Image.Artist")) != meta->exifData().end();
            CHECK(hasArtist == withExif);
            CHECK(readImage(out).width == 24);
        }
        // A profile that cannot describe the output, or a format that cannot hold one: a note, no profile.
        Image other = Image::blank(24, 16, grey ? 3 : 1);
        other.metadataSource = dir / "src.png";
        const auto mismatch = writeImage(dir / "other.png", other);
        REQUIRE(mismatch.size() == 1);
        CHECK(mismatch[0].find(grey ? "describes 'GRAY'" : "describes 'RGB '") != std::string::npos);
        CHECK(testutil::pngProfile(dir / "other.png").empty());
        const auto bmp = writeImage(dir / "out.bmp", in);
        REQUIRE(bmp.size() == 1);
        CHECK(bmp[0].find("cannot hold the input's ICC profile") != std::string::npos);
    }
}

TEST_CASE("image files: bad inputs give one clear error naming the file") {
    testutil::TempDir dir;
    auto expect = [&](const std::string& path, const std::string& fragment, ReadOptions ro = {}) {
        const std::string what = errorOf([&] { readImage(path, ro); });
        CAPTURE(what);
        CHECK(what.find(path) != std::string::npos);
        CHECK(what.find(fragment) != std::string::npos);
    };
    std::ofstream(dir / "empty.png").close();
    expect(dir / "empty.png", "empty");
    std::ofstream(dir / "text.png") << "this is not an image, just text that pretends to be one by its name\n";
    expect(dir / "text.png", "unknown signature");
    // A DICOM file named .tif (OpenCV's gdcm decoder aborts on malformed ones): never decoded.
    std::ofstream(dir / "scan.tif", std::ios::binary) << std::string(128, '\0') << "DICM" << std::string(64, '\x01');
    expect(dir / "scan.tif", "unknown signature");
    std::ofstream(dir / "scan2.tif", std::ios::binary) << "II*" << '\0' << std::string(124, '\0') << "DICM" << std::string(64, '\x01');
    expect(dir / "scan2.tif", "unknown signature");
    // "RIFF....WEBP" that libwebp does not parse, with GDAL's DTED mark at 140: OpenCV would pass it
    // through a temporary file to GDAL. Refused before OpenCV sees it.
    std::string riff = "RIFF" + std::string(4, '\x40') + "WEBP" + std::string(288, 'A');
    riff.replace(140, 4, "DTED");
    std::ofstream(dir / "map.webp", std::ios::binary) << riff;
    expect(dir / "map.webp", "unknown signature");
    riff.replace(140, 4, "AAAA");
    std::ofstream(dir / "riff.webp", std::ios::binary) << riff;
    expect(dir / "riff.webp", "unknown signature");
    const Image im = testutil::syntheticImage(64, 48, 3, 7);
    writeImage(dir / "full.png", im);
    writeImage(dir / "full.jpg", im);
    for (const char* ext : {".png", ".jpg"}) {
        std::ifstream f(dir / (std::string("full") + ext), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(f)), {});
        std::ofstream(dir / (std::string("cut") + ext), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    expect(dir / "cut.png", "not a decodable");
    expect(dir / "cut.jpg", "truncated");
    ReadOptions small;
    small.maxPixels = 1000;
    expect(dir / "full.png", "over the limit", small);
    expect(dir / "missing.png", "no such file");
    fs::create_directories(dir / "folder.png");
    expect(dir / "folder.png", "is a folder");
    CHECK(errorOf([&] { listImages({dir / "no-such-folder"}); }).find("no such folder") != std::string::npos);
    CHECK(errorOf([&] { writeImage(dir / "x.gif", im); }).find("unknown output format") != std::string::npos);
}

TEST_CASE("image files: a decompression bomb is refused from its header, before any decoding") {
    // Real files whose header is patched to declare 16384 x 16384 (or 65535 x 65535) and whose data
    // is then cut short: decoding would fail with another message, so "over the limit" shows that the
    // header alone refused them.
    testutil::TempDir dir;
    const Image im = testutil::syntheticImage(40, 30, 3, 3);
    auto bytesOf = [&](const std::string& name) {
        writeImage(dir / name, im);
        std::ifstream f(dir / name, std::ios::binary);
        return std::string((std::istreambuf_iterator<char>(f)), {});
    };
    auto patched = [&](const std::string& name, const std::string& bytes) {
        std::ofstream(dir / ("bomb-" + name), std::ios::binary) << bytes;
        const std::string message = errorOf([&] { readImage(dir / ("bomb-" + name)); });
        CAPTURE(name);
        CAPTURE(message);
        CHECK(message.find("bomb-" + name) != std::string::npos);
        CHECK(message.find("over the limit") != std::string::npos);
    };
    std::string png = bytesOf("a.png");
    png.replace(16, 8, std::string("\0\0\x40\0\0\0\x40\0", 8));  // IHDR width, height
    patched("a.png", png.substr(0, 60));
    std::string bmp = bytesOf("a.bmp");
    bmp.replace(18, 8, std::string("\0\x40\0\0\0\x40\0\0", 8));  // DIB width, height
    patched("a.bmp", bmp.substr(0, 80));
    std::string jpg = bytesOf("a.jpg");
    const size_t sof = jpg.find("\xFF\xC0");
    REQUIRE(sof != std::string::npos);
    jpg.replace(sof + 5, 4, "\xFF\xFF\xFF\xFF");  // SOF0 height, width
    patched("a.jpg", jpg.substr(0, sof + 40) + "\xFF\xD9");
    std::string webp = bytesOf("a.webp");
    if (webp.compare(12, 4, "VP8L") == 0) {
        webp.replace(21, 3, "\xFF\xFF\xFF");  // 14 bits width - 1, 14 bits height - 1
        webp[24] = static_cast<char>((webp[24] & 0xF0) | 0x0F);
    } else {
        REQUIRE(webp.compare(12, 4, "VP8 ") == 0);
        webp.replace(26, 4, "\xFF\x3F\xFF\x3F");  // frame width, height (14 bits each)
    }
    patched("a.webp", webp.substr(0, 64));
}

TEST_CASE("image files: a zero-pixel image is refused") {
    testutil::TempDir dir;
    // A PNG whose IHDR says 0 x 0 (CRC computed so that only the size is wrong).
    const unsigned char png[] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
                                 0x44, 0x52, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
                                 0x42, 0x60, 0x82};
    std::ofstream(dir / "zero.png", std::ios::binary).write(reinterpret_cast<const char*>(png), sizeof png);
    const std::string what = errorOf([&] { readImage(dir / "zero.png"); });
    CAPTURE(what);
    CHECK(what.find(dir / "zero.png") != std::string::npos);
}

TEST_CASE("batches: outputs mirror inputs, inputs are never outputs, temporary files are ignored") {
    testutil::TempDir dir;
    fs::create_directories(dir / "in/sub");
    const Image im = testutil::syntheticImage(8, 8, 3, 1);
    writeImage(dir / "in/a.png", im);
    writeImage(dir / "in/sub/b.png", im);
    std::ofstream(dir / "in/notes.txt") << "not an image";
    std::ofstream(dir / "in/.c.png.aekit-tmp-123") << "half-written";
    const BatchPlan plan = planBatch({dir / "in"}, dir / "out");
    REQUIRE(plan.items.size() == 2);
    CHECK(plan.items[0].output == dir / "out/a.png");
    CHECK(plan.items[1].output == dir / "out/sub/b.png");
    CHECK(plan.skipped.size() == 1);
    // Output folder = input folder: every item refused, nothing planned.
    const BatchPlan same = planBatch({dir / "in"}, dir / "in");
    CHECK(same.items.empty());
    CHECK(same.problems.size() == 2);
    // A single file to itself.
    const BatchPlan self = planBatch({dir / "in/a.png"}, dir / "in/a.png");
    CHECK(self.items.empty());
    CHECK(self.problems.size() == 1);
    const BatchPlan missing = planBatch({dir / "nope"}, dir / "out");
    CHECK(missing.problems.size() == 1);
}

TEST_CASE("image files: inputs the fuzzer found crashing are refused cleanly") {
    const char* source = std::getenv("AEKIT_SOURCE_DIR");
    REQUIRE(source != nullptr);
    int seen = 0;
    for (const auto& e : fs::directory_iterator(fs::path(source) / "tests/fuzz/corpus/image")) {
        if (e.path().filename().string().rfind("regression-", 0) != 0) continue;
        ++seen;
        CAPTURE(e.path().string());
        CHECK_THROWS_AS(readImage(e.path().string()), Error);
    }
    CHECK(seen >= 2);
}

TEST_CASE("image files: a TIFF whose strips declare far more rows than the image is refused before decoding") {
    // 12807 x 2 pixels in strips of 65531 rows: OpenCV's decoder allocates a whole strip (3.4 GB).
    const char* source = std::getenv("AEKIT_SOURCE_DIR");
    REQUIRE(source != nullptr);
    const std::string path = (fs::path(source) / "tests/fuzz/corpus/image/regression-tiff-strip-rows").string();
    const std::string what = errorOf([&] { readImage(path); });
    CAPTURE(what);
    CHECK(what.find(path) != std::string::npos);
    CHECK(what.find("strips or tiles of 12807x65531 pixels") != std::string::npos);
}

TEST_CASE("batches: overlapped stages read ahead and write behind, and report items in the plan's order") {
    testutil::TempDir dir;
    fs::create_directories(dir / "in");
    for (int i = 0; i < 7; ++i) writeImage(dir / ("in/p" + std::to_string(i) + ".png"), testutil::syntheticImage(8, 8, 3, i));
    std::ofstream(dir / "in/p2.png", std::ios::trunc) << "not a PNG";  // fails in read
    const BatchPlan plan = planBatch({dir / "in"}, dir / "out");
    REQUIRE(plan.items.size() == 7);
    fs::create_directories(dir / "out");
    writeImage(dir / "out/p5.png", testutil::syntheticImage(8, 8, 3, 99));  // exists: skipped

    for (const bool overlapped : {true, false}) {
        CAPTURE(overlapped);
        for (int i : {0, 1, 3, 4, 6}) fs::remove(dir / ("out/p" + std::to_string(i) + ".png"));
        std::mutex m;
        std::condition_variable cv;
        std::set<std::string> reading;  // inputs whose read has begun
        int readsDuringCompute = 0;
        BatchStages s;
        s.read = [&](const BatchItem& item) {
            {
                std::lock_guard<std::mutex> lock(m);
                reading.insert(item.input);
            }
            cv.notify_all();
            return readImage(item.input);
        };
        s.compute = [&](const BatchItem& item, Image&& in) {
            if (item.input.find("p3") != std::string::npos) fail(ErrorKind::InvalidArgument, "compute refused it");
            // Waits a little for the next item's read: overlapped, it begins meanwhile (p2 is not
            // read ahead, p5's output exists, so it is never read).
            const size_t k = size_t(&item - plan.items.data());
            if (k + 1 < plan.items.size() && k + 1 != 2 && k + 1 != 5) {
                std::unique_lock<std::mutex> lock(m);
                readsDuringCompute += cv.wait_for(lock, std::chrono::milliseconds(overlapped ? 5000 : 100),
                                                 [&] { return reading.count(plan.items[k + 1].input) > 0; });
            }
            for (float& v : in.pixels) v = 1.f - v;
            return std::move(in);
        };
        s.write = [&](const BatchItem& item, const Image& out) {
            if (item.input.find("p4") != std::string::npos) fail(ErrorKind::Io, item.output + ": disk full");
            writeImage(item.output, out);
        };
        s.overlapPixels = overlapped ? (1 << 20) / 17 : 0;
        std::vector<size_t> progress;
        const BatchReport r = runBatch(plan, false, s, [&](size_t done, size_t) { progress.push_back(done); });
        // p0's compute sees p1 read ahead (p2, not an image, has no size in its header: read in turn).
        CHECK(readsDuringCompute == (overlapped ? 1 : 0));
        CHECK(r.done == 3);
        CHECK(progress == std::vector<size_t>{1, 2, 3, 4, 5, 6, 7});
        REQUIRE(r.failures.size() == 3);
        CHECK(r.failures[0].find("p2.png") != std::string::npos);
        CHECK(r.failures[1].find("p3.png: compute refused it") != std::string::npos);
        CHECK(r.failures[2].find("disk full") != std::string::npos);
        CHECK(r.skipped == std::vector<std::string>{plan.items[5].output});
        for (int i : {0, 1, 6}) {
            const Image in = readImage(plan.items[size_t(i)].input), out = readImage(plan.items[size_t(i)].output);
            for (size_t j = 0; j < in.pixels.size(); ++j) REQUIRE(out.pixels[j] == doctest::Approx(1.f - in.pixels[j]).epsilon(1e-6));
        }
        CHECK(!fs::exists(dir / "out/p3.png"));
        CHECK(!fs::exists(dir / "out/p4.png"));
    }

    SUBCASE("a stop lets the item being computed be written, and nothing after it") {
        fs::remove_all(dir / "out");
        std::atomic<bool> stop{false};
        BatchStages s;
        s.read = [](const BatchItem& item) { return readImage(item.input); };
        s.compute = [&](const BatchItem& item, Image&& in) {
            if (item.input.find("p1") != std::string::npos) stop = true;
            return std::move(in);
        };
        s.write = [](const BatchItem& item, const Image& out) { writeImage(item.output, out); };
        s.overlapPixels = (1 << 20) / 17;
        const BatchReport r = runBatch(plan, false, s, {}, &stop);
        CHECK(r.interrupted);
        CHECK(r.done == 2);
        CHECK(fs::exists(dir / "out/p1.png"));
        CHECK(!fs::exists(dir / "out/p3.png"));
    }
}
