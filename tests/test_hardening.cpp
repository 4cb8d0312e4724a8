// SPDX-License-Identifier: Apache-2.0
// Tier 3: hostile and unlucky use beyond the images themselves: side files never over inputs and
// written atomically, temporary names that cannot be planted, data changing under training, inputs
// that cost time rather than memory, options and models checked once, one line per problem. Each
// case is the reproducer of a problem found by trying aekit as such a user.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "aekit/model.hpp"
#include "aekit/output_files.hpp"
#include "io/atomic_file.hpp"
#include "support/cli_runner.hpp"
#include "support/files.hpp"
#include "support/synthetic.hpp"
#include "support/temp_dir.hpp"

using namespace aekit;
using testutil::bytesOf;
using testutil::lineCount;
using testutil::makeImages;
using testutil::runAekit;
using testutil::writeBytes;
namespace fs = std::filesystem;

namespace {

std::string shippedColourModel() { return std::string(std::getenv("AEKIT_SOURCE_DIR")) + "/models/denoise-color.safetensors"; }

// A safetensors file with this header text and no tensors.
std::string safetensorsWithHeader(const std::string& header) {
    std::string out(8, '\0');
    const uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    return out + header;
}

}  // namespace

TEST_CASE("hardening: no side output of any subcommand lands on an input") {
    testutil::TempDir dir;
    makeImages(dir / "in", 3, 64, 48, 3, 1);
    const std::string in = dir / "in", a = dir / "in/img0.png", b = dir / "in/img1.png";
    const std::string before = bytesOf(a) + bytesOf(b);
    const std::vector<std::string> cases = {
        "eval --model color --images " + in + " --noise gaussian:25 --save " + in,
        "embed --model color " + in + " -o " + a,
        "embed --model color " + in + " -o " + (dir / "codes.csv") + " --plot " + a,
        "anomaly --model color " + in + " -o " + (dir / "maps") + " --csv " + a,
        "corrupt " + a + " -o " + (dir / "o/a.png") + " --noise gaussian:5 --manifest " + b,
        "eval --model color --images " + in + " --json " + a,
        "train --task denoise --data " + in + " --out " + a + " --steps 2",
        "train --task denoise --data " + in + " --out " + (dir / "in/model.safetensors") + " --steps 2",
    };
    for (const auto& c : cases) {
        CAPTURE(c);
        const auto r = runAekit(c);
        INFO(r.output);
        CHECK(r.code == 2);
        CHECK(r.output.find("refused") != std::string::npos);
        CHECK(lineCount(r.output) == 1);
    }
    CHECK(bytesOf(a) + bytesOf(b) == before);
    CHECK(!fs::exists(dir / "in/model.safetensors"));
    CHECK(std::distance(fs::directory_iterator(in), fs::directory_iterator()) == 3);  // nothing dropped in
}

TEST_CASE("hardening: temporary files have unpredictable names that fit the name limit; long names work") {
    testutil::TempDir dir;
    const std::string target = dir / "out.png";
    const std::string t1 = io::temporaryPathFor(target), t2 = io::temporaryPathFor(target);
    CHECK(t1 != t2);
    CHECK(io::isTemporaryPath(t1));
    const std::string longName(250, 'n');
    const std::string t3 = io::temporaryPathFor(dir / (longName + ".png"));
    CHECK(fs::path(t3).filename().string().size() <= 255);
    CHECK(io::isTemporaryPath(t3));
    // A file of a 254-byte name is written and listed in the manifest.
    makeImages(dir / "in", 1, 32, 32, 3, 5);
    fs::rename(dir / "in/img0.png", dir / ("in/" + longName + ".png"));
    const auto r = runAekit("corrupt " + (dir / "in") + " -o " + (dir / "out") + " --noise gaussian:10");
    INFO(r.output);
    CHECK(r.code == 0);
    CHECK(fs::exists(dir / ("out/" + longName + ".png")));
    // The writer never writes through a file or link already at its temporary name: O_EXCL.
    const std::string planted = dir / "victim.txt";
    writeBytes(planted, "precious");
    for (int i = 0; i < 20; ++i) writeTextFile(dir / "side.csv", "a,b\n");  // fresh names each time
    CHECK(bytesOf(planted) == "precious");
    CHECK(bytesOf(dir / "side.csv") == "a,b\n");
}

TEST_CASE("hardening: CSV side files quote names per RFC 4180 and a manifest leaves identical images out of the mean") {
    testutil::TempDir dir;
    makeImages(dir / "in", 2, 32, 32, 3, 7);
    fs::rename(dir / "in/img0.png", dir / "in/say \"cheese\", please.png");
    auto r = runAekit("corrupt " + (dir / "in") + " -o " + (dir / "out") + " --noise gaussian:10");
    INFO(r.output);
    REQUIRE(r.code == 0);
    std::ifstream f(dir / "out/manifest.csv");
    std::string header, line;
    std::getline(f, header);
    bool found = false;
    while (std::getline(f, line)) {
        const auto fields = parseCsvLine(line);
        REQUIRE(fields.size() == 5);
        found |= fields[0] == (dir / "out/say \"cheese\", please.png");
    }
    CHECK(found);
    // Noise that rounds to nothing: PSNR is infinite, and the mean says so instead of printing "inf".
    r = runAekit("corrupt " + (dir / "in") + " -o " + (dir / "same") + " --noise gaussian:0.01");
    INFO(r.output);
    CHECK(r.code == 0);
    CHECK(r.output.find("inf dB") == std::string::npos);
    CHECK(r.output.find("identical to their input") != std::string::npos);
}

TEST_CASE("hardening: a training image that changes on disk stops the run with a checkpoint and one clear line") {
    testutil::TempDir dir;
    makeImages(dir / "data", 6, 64, 64, 3, 20);
    // --cache-mb 0: every batch decodes its images again, so the change is seen at once.
    const std::string cmd = "(" + std::string(AEKIT_BINARY) + " train --task denoise --data " + (dir / "data") + " --out " +
                            (dir / "m.safetensors") + " --channels 8,12 --code 16 --batch 2 --patch 32 --steps 1000000 "
                            "--val-every 100000 --val-images 1 --cache-mb 0 --threads 1 > " + (dir / "log") + " 2>&1; echo $? > " +
                            (dir / "rc") + ") &";
    REQUIRE(std::system(cmd.c_str()) == 0);
    for (int i = 0; i < 600 && !fs::exists(dir / "m.safetensors.csv"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(fs::exists(dir / "m.safetensors.csv"));  // training runs (a row every 50 steps)
    for (int i = 0; i < 6; ++i)  // every image replaced by a smaller one: a crop past its edge would read out of bounds
        writeImage(dir / ("data/img" + std::to_string(i) + ".png"), testutil::syntheticImage(20, 20, 3, 99));
    for (int i = 0; i < 600 && !fs::exists(dir / "rc"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(fs::exists(dir / "rc"));
    const std::string log = bytesOf(dir / "log");
    INFO(log);
    int rc = -1;
    std::ifstream(dir / "rc") >> rc;
    CHECK(rc == 3);  // a bad file: not an abort (134) or a crash (139)
    CHECK(log.find("changed on disk during training") != std::string::npos);
    CHECK(fs::exists(dir / "m.safetensors.ckpt"));
}

TEST_CASE("hardening: inputs that would cost time are refused quickly") {
    testutil::TempDir dir;
    SUBCASE("a named pipe as an image or a model") {
        REQUIRE(::mkfifo((dir / "pipe.png").c_str(), 0644) == 0);
        auto r = runAekit("denoise " + (dir / "pipe.png") + " -o " + (dir / "out.png"));
        INFO(r.output);
        CHECK(r.code == 4);  // one image named: its own error's code (a file-system error)
        CHECK(r.output.find("not a regular file") != std::string::npos);
        r = runAekit("info " + (dir / "pipe.png"));
        CHECK(r.code == 4);
    }
    SUBCASE("a JPEG of too many scans") {
        // A progressive JPEG, then the same scan repeated: thousands of scans cost minutes to decode.
        const cv::Mat m(64, 64, CV_8UC3, cv::Scalar(90, 120, 150));
        std::vector<uint8_t> jpeg;
        REQUIRE(cv::imencode(".jpg", m, jpeg, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
        const std::string bytes(jpeg.begin(), jpeg.end());
        const size_t sos = bytes.rfind("\xFF\xDA"), eoi = bytes.rfind("\xFF\xD9");
        REQUIRE(sos != std::string::npos);
        std::string many = bytes.substr(0, eoi);
        for (int i = 0; i < 200; ++i) many += bytes.substr(sos, eoi - sos);
        writeBytes(dir / "scans.jpg", many + "\xFF\xD9");
        writeBytes(dir / "ok.jpg", bytes);
        CHECK_NOTHROW(readImage(dir / "ok.jpg"));
        const auto r = runAekit("denoise " + (dir / "scans.jpg") + " -o " + (dir / "out.png"));
        INFO(r.output);
        CHECK(r.code == 3);  // one image named: its own error's code (malformed)
        CHECK(r.output.find("scans") != std::string::npos);
    }
    SUBCASE("a model header deeply nested or of millions of elements") {
        std::string deep(1000, '[');
        deep += std::string(1000, ']');
        writeBytes(dir / "deep.safetensors", safetensorsWithHeader("{\"a\":" + deep + "}"));
        std::string wide = "{\"a\":[";
        for (int i = 0; i < 300000; ++i) wide += "{},";
        wide += "{}]}";
        writeBytes(dir / "wide.safetensors", safetensorsWithHeader(wide));
        for (const char* name : {"deep.safetensors", "wide.safetensors"}) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto r = runAekit("info " + (dir / name));
            INFO(r.output);
            CHECK(r.code == 3);
            CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
        }
    }
    SUBCASE("a thin image gets tiles that do useful work; a budget too small is refused, naming what it needs") {
        writeImage(dir / "thin.png", testutil::syntheticImage(3000, 2, 3, 3));
        auto r = runAekit("denoise " + (dir / "thin.png") + " -o " + (dir / "thin-out.png") + " --model color");
        INFO(r.output);
        CHECK(r.code == 0);
        writeImage(dir / "big.png", testutil::syntheticImage(1600, 1200, 3, 4));
        r = runAekit("denoise " + (dir / "big.png") + " -o " + (dir / "big-out.png") + " --model color --max-memory 40");
        INFO(r.output);
        CHECK(r.code == 2);  // one image named: its own error's code (the option is too small)
        CHECK(r.output.find("--max-memory 40 MB is too small") != std::string::npos);
        CHECK(r.output.find("it needs about") != std::string::npos);
    }
}

TEST_CASE("hardening: --max-memory is a ceiling the measured peak memory respects, and a refusal names a budget that works") {
    testutil::TempDir dir;
    writeImage(dir / "photo.png", testutil::syntheticImage(1600, 1200, 3, 8));
    const auto refused = runAekit("denoise " + (dir / "photo.png") + " -o " + (dir / "o.png") + " --model color --max-memory 100");
    INFO(refused.output);
    const size_t at = refused.output.find("it needs about ");
    REQUIRE(at != std::string::npos);
    const int needed = std::stoi(refused.output.substr(at + 15));
    for (const int budget : {needed, needed + 400}) {
        CAPTURE(budget);
        const auto [code, peakMb] = testutil::runMeasured({"denoise", dir / "photo.png", "-o", dir / ("out" + std::to_string(budget) + ".png"),
                                                 "--model", "color", "--max-memory", std::to_string(budget), "--threads", "2"});
        CAPTURE(peakMb);
        CHECK(code == 0);
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer's shadow memory and quarantine are not aekit's
        CHECK(peakMb <= budget);
#endif
    }
}

TEST_CASE("hardening: a folder of colour and grey photos (two default models) stays under the --max-memory ceiling") {
    // Each model keeps its network's buffers between images up to the budget; with both models'
    // kept at once a folder ran past the ceiling (200 small photos at 600 MB peaked at 673-710 MB).
    testutil::TempDir dir;
    const std::string in = dir / "in";
    std::filesystem::create_directories(in);
    writeImage(in + "/a.png", testutil::syntheticImage(1600, 1200, 3, 8));
    writeImage(in + "/b.png", testutil::syntheticImage(1600, 1200, 1, 9));
    writeImage(in + "/c.png", testutil::syntheticImage(1600, 1200, 3, 10));
    const auto refused = runAekit("denoise " + in + "/a.png -o " + (dir / "o.png") + " --max-memory 100");
    INFO(refused.output);
    const size_t at = refused.output.find("it needs about ");
    REQUIRE(at != std::string::npos);
    const int budget = std::stoi(refused.output.substr(at + 15));
    CAPTURE(budget);
    const auto [code, peakMb] = testutil::runMeasured({"denoise", in, "-o", dir / "out", "--max-memory", std::to_string(budget), "--threads", "2"});
    CAPTURE(peakMb);
    CHECK(code == 0);
#if !defined(__SANITIZE_ADDRESS__)
    CHECK(peakMb <= budget);
#endif
}

TEST_CASE("hardening: numbers out of range and bad models are refused once, before any work") {
    testutil::TempDir dir;
    makeImages(dir / "in", 2, 48, 48, 3, 30);
    const std::string in = dir / "in";
    for (const std::string& c : {"train --task denoise --data " + in + " --out " + (dir / "m.safetensors") + " --batch 100000000",
                                 "train --task denoise --data " + in + " --out " + (dir / "m.safetensors") + " --lr nan",
                                 "train --task denoise --data " + in + " --out " + (dir / "m.safetensors") + " --cache-mb -1",
                                 "eval --model color --images " + in + " --tile -5",
                                 "eval --model color --images " + in + " --baseline nlm --nlm-h -3",
                                 "embed --model color " + in + " -o " + (dir / "c.csv") + " --size 100000",
                                 "denoise " + in + " -o " + (dir / "o") + " --max-memory -1",
                                 "colorize " + in + " -o " + (dir / "o") + " --size -1",
                                 "noise " + in + " --flat-quantile nan",
                                 "train --task denoise --data " + in + " --out " + (dir / "m.safetensors") + " --levels -1",
                                 "denoise " + in + " -o " + (dir / "out.gif"),
                                 // Boost's error text would loop forever on its own placeholder (fuzzer finding)
                                 "denoise " + in + " -o " + (dir / "o") + " --tile '%value%'"}) {
        CAPTURE(c);
        const auto r = runAekit(c);
        INFO(r.output);
        CHECK(r.code == 2);
        CHECK(lineCount(r.output) == 1);
    }
    // A file named on the command line in a format aekit does not read fails; inside a folder it is skipped with a note.
    writeBytes(dir / "photo.gif", "GIF89a");
    const auto gif = runAekit("denoise " + (dir / "photo.gif") + " -o " + (dir / "gif-out"));
    INFO(gif.output);
    CHECK(gif.code == 1);
    CHECK(gif.output.find("photo.gif: not a format aekit reads") != std::string::npos);
    // Finite but huge weights (3e38) would overflow to an all-black image: the file is refused.
    Model m = Model::load(shippedColourModel());
    m.weights.begin()->second.data[0] = 3e38f;
    m.save(dir / "huge.safetensors");
    for (const std::string& c : {"denoise " + in + " -o " + (dir / "o2") + " --model " + (dir / "huge.safetensors"),
                                 "anomaly " + in + " -o " + (dir / "o3") + " --model " + (dir / "huge.safetensors")}) {
        CAPTURE(c);
        const auto r = runAekit(c);
        INFO(r.output);
        CHECK(r.code == 3);
        CHECK(lineCount(r.output) == 1);
        CHECK(r.output.find("beyond any trained weight") != std::string::npos);
    }
}

TEST_CASE("hardening: one line per problem, whatever the decoding libraries say") {
    testutil::TempDir dir;
    makeImages(dir / "in", 1, 64, 64, 3, 40);
    const std::string png = bytesOf(dir / "in/img0.png");
    fs::create_directories(dir / "bad");
    writeBytes(dir / "bad/truncated.png", png.substr(0, png.size() / 2));
    std::string flipped = png;
    flipped[flipped.find("IDAT") + 30] ^= 0x5a;
    writeBytes(dir / "bad/flipped.png", flipped);
    const auto r = runAekit("denoise " + (dir / "bad") + " -o " + (dir / "out") + " --model color");
    INFO(r.output);
    CHECK(r.code == 1);
    CHECK(r.output.find("\nlibpng") == std::string::npos);  // no line of libpng's own
    CHECK(r.output.rfind("libpng", 0) != 0);
    CHECK(lineCount(r.output) == 3);  // two failures and the summary
}

TEST_CASE("hardening: files aekit does not read are named unsupported, hostile text is cut, lost transparency noted") {
    testutil::TempDir dir;
    SUBCASE("an animated WebP and a floating-point TIFF are unsupported, not corrupt") {
        // RIFF/WEBP with a VP8X chunk whose animation flag is set (and a 16x16 canvas), then ANIM.
        std::string webp = "RIFF" + std::string(4, '\0') + "WEBPVP8X" + std::string("\x0a\0\0\0", 4) +
                           std::string("\x02\0\0\0\x0f\0\0\x0f\0\0", 10) + "ANIM" + std::string("\x06\0\0\0", 4) +
                           std::string(6, '\0');
        const uint32_t riff = uint32_t(webp.size() - 8);
        std::memcpy(webp.data() + 4, &riff, 4);
        writeBytes(dir / "anim.webp", webp);
        auto e = runAekit("denoise " + (dir / "anim.webp") + " -o " + (dir / "anim.png"));
        INFO(e.output);
        CHECK(e.output.find("animated WebP") != std::string::npos);
        CHECK(e.output.find("not supported") != std::string::npos);
        const cv::Mat f(16, 16, CV_32FC1, cv::Scalar(0.5));
        REQUIRE(cv::imwrite(dir / "float.tif", f));
        e = runAekit("denoise " + (dir / "float.tif") + " -o " + (dir / "float.png"));
        INFO(e.output);
        CHECK(e.output.find("not supported") != std::string::npos);
        try {
            readImage(dir / "float.tif");
            FAIL("a floating-point TIFF was read");
        } catch (const Error& err) {
            CHECK(err.kind() == ErrorKind::Unsupported);
        }
    }
    SUBCASE("a huge metadata value is not echoed whole") {
        SafetensorsContent c = Model::load(shippedColourModel()).toContent();
        c.metadata["aekit.task"] = std::string(100000, 'x');
        writeSafetensors(dir / "task.safetensors", c);
        const auto e = runAekit("info " + (dir / "task.safetensors"));
        INFO(e.output.substr(0, 300));
        CHECK(e.code == 3);
        CHECK(e.output.size() < 1000);
    }
    SUBCASE("a grey PNG's transparent colour is dropped with a note") {
        const cv::Mat g(8, 8, CV_8UC1, cv::Scalar(100));
        std::vector<uint8_t> bytes;
        REQUIRE(cv::imencode(".png", g, bytes));
        std::string p(bytes.begin(), bytes.end());
        const size_t idat = p.find("IDAT") - 4;
        std::string chunk = std::string("\0\0\0\x02tRNS\0\x64", 10) + std::string(4, '\0');  // grey 100 transparent, CRC below
        const uint32_t crc = [](const std::string& s) {
            uint32_t c = 0xFFFFFFFFu;
            for (unsigned char ch : s) {
                c ^= ch;
                for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
            }
            return c ^ 0xFFFFFFFFu;
        }(chunk.substr(4, 6));
        for (int k = 0; k < 4; ++k) chunk[size_t(10 + k)] = char((crc >> (24 - 8 * k)) & 0xFF);
        writeBytes(dir / "trns.png", p.substr(0, idat) + chunk + p.substr(idat));
        const auto e = runAekit("denoise " + (dir / "trns.png") + " -o " + (dir / "trns-out.png") + " --model gray");
        INFO(e.output);
        CHECK(e.code == 0);
        CHECK(e.output.find("transparent colour") != std::string::npos);
    }
}
