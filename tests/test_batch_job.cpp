// SPDX-License-Identifier: Apache-2.0
// The job runner (aekit::runJob) on its own: what it refuses before any work, the plan it runs, what
// it says, and the exit code it returns, with a command's work played by a function that writes a
// line or fails as told.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aekit/batch_job.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace aekit;
namespace fs = std::filesystem;

namespace {

// What a job said, in order, and how its work went.
struct Heard {
    std::vector<std::string> notes, messages, listing, order;  // order: "progress", "end", "message"
    size_t lastTotal = 0, runs = 0, processed = 0;
};

JobVoice voiceInto(Heard& h, bool quiet = false) {
    JobVoice v;
    v.note = [&h](const std::string& s) { h.notes.push_back(s); };
    v.message = [&h](const std::string& s) {
        h.messages.push_back(s);
        h.order.push_back("message");
    };
    v.listing = [&h](const std::string& s) { h.listing.push_back(s); };
    v.progress = [&h](size_t, size_t, size_t total) {
        h.lastTotal = total;
        h.order.push_back("progress");
    };
    v.progressEnd = [&h] { h.order.push_back("end"); };
    v.quiet = quiet;
    return v;
}

// A command's work: writes the output, or throws `kind` for inputs whose name holds "bad".
JobRun work(Heard& h, ErrorKind kind = ErrorKind::BadFile) {
    return [&h, kind](const BatchPlan& plan, bool overwrite, const std::function<void(size_t, size_t)>& progress,
                      const std::atomic<bool>* stop) {
        ++h.runs;
        return runBatch(
            plan, overwrite,
            [&h, kind](const BatchItem& item) {
                ++h.processed;
                if (item.input.find("bad") != std::string::npos) throw Error(kind, item.input + ": not an image");
                std::ofstream(item.output) << "out";
            },
            progress, stop);
    };
}

bool said(const std::vector<std::string>& lines, const std::string& part) {
    for (const auto& l : lines)
        if (l.find(part) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("job: every exit code has its error kind") {
    CHECK(exitCodeFor(ErrorKind::InvalidArgument) == 2);
    CHECK(exitCodeFor(ErrorKind::BadFile) == 3);
    CHECK(exitCodeFor(ErrorKind::Io) == 4);
    CHECK(exitCodeFor(ErrorKind::Unsupported) == 5);
    CHECK(exitCodeFor(ErrorKind::Internal) == 70);
    CHECK(exitCodeFor(ErrorKind::Engine) == 71);
}

TEST_CASE("job: what the user named is refused before any work, with one line") {
    testutil::TempDir dir;
    fs::create_directories(dir / "in");
    testutil::writeBytes(dir / "in/a.png", "x");
    testutil::writeBytes(dir / "in/b.png", "x");
    testutil::writeBytes(dir / "file.txt", "x");
    struct Case {
        std::vector<std::string> inputs;
        std::string out, format, says;
    };
    const std::vector<Case> cases{
        {{}, dir / "out", "", "give at least one input"},
        {{dir / "in"}, "", "", "-o: name the output"},
        {{dir / "missing.png"}, dir / "out", "", "no such file or folder"},
        {{dir / "in"}, dir / "file.txt", "", "an existing file, but the outputs of a folder need a folder"},
        {{dir / "in/a.png", dir / "in/b.png"}, dir / "two.png", "", "names one image, but several inputs are several"},
        {{dir / "in"}, dir / "in", "", "is the input folder"},
        {{dir / "in/a.png"}, dir / "a.jpg", "png", "the two name different formats"},
        {{"-", dir / "in/a.png"}, dir / "x.png", "", "standard input holds one image"},
        {{"-"}, dir / "folder", "", "needs -o FILE.EXT or -o -"},
        {{dir / "in"}, "-", "", "standard output takes one image"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.says);
        Heard h;
        JobRequest r;
        r.inputs = c.inputs;
        r.out = c.out;
        r.formatName = c.format;
        r.extension = c.format.empty() ? "" : "." + c.format;
        try {
            runJob(r, "test", work(h), voiceInto(h), nullptr);
            FAIL("not refused");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::InvalidArgument);
            CHECK(std::string(e.what()).find(c.says) != std::string::npos);
        }
        CHECK(h.runs == 0);
    }
    CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("job: a folder goes on past a bad file, names it at the end, and exits 1") {
    testutil::TempDir dir;
    fs::create_directories(dir / "in/sub");
    for (const char* name : {"in/a.png", "in/bad.png", "in/sub/c.png", "in/notes.txt"}) testutil::writeBytes(dir / name, "x");
    Heard h;
    JobRequest r;
    r.inputs = {dir / "in"};
    r.out = dir / "out";
    r.extension = ".png";
    CHECK(runJob(r, "test", work(h), voiceInto(h), nullptr) == kExitSomeFailed);
    CHECK(h.processed == 3);
    CHECK(fs::exists(dir / "out/a.png"));
    CHECK(fs::exists(dir / "out/sub/c.png"));
    CHECK(said(h.notes, "notes.txt"));  // the file that is not an image, noted
    CHECK(said(h.messages, "failed: " + (dir / "in/bad.png") + ": not an image"));
    CHECK(h.messages.back() == "test: 2 written, 0 skipped, 1 failed");
    CHECK(h.lastTotal == 3);
    // The progress line ends before the job's last lines.
    REQUIRE(!h.order.empty());
    const auto end = std::find(h.order.begin(), h.order.end(), "end");
    REQUIRE(end != h.order.end());
    CHECK(std::find(h.order.begin(), end, "message") == end);

    // Again: every output exists and is skipped, with a line each, and the bad file fails again.
    Heard again;
    CHECK(runJob(r, "test", work(again), voiceInto(again), nullptr) == kExitSomeFailed);
    CHECK(said(again.messages, "skipped: " + (dir / "out/a.png") + " exists (use --overwrite)"));
    CHECK(again.messages.back() == "test: 0 written, 2 skipped, 1 failed");
    // Quiet: the failure is still said, nothing else.
    Heard quiet;
    CHECK(runJob(r, "test", work(quiet), voiceInto(quiet, true), nullptr) == kExitSomeFailed);
    CHECK(quiet.messages.size() == 1);
    CHECK(said(quiet.messages, "failed: "));
}

TEST_CASE("job: one image named alone exits with its own error's code") {
    testutil::TempDir dir;
    testutil::writeBytes(dir / "bad.png", "x");
    testutil::writeBytes(dir / "good.png", "x");
    for (const auto& [kind, code] : std::vector<std::pair<ErrorKind, int>>{
             {ErrorKind::BadFile, 3}, {ErrorKind::Unsupported, 5}, {ErrorKind::Io, 4}}) {
        Heard h;
        JobRequest r;
        r.inputs = {dir / "bad.png"};
        r.out = dir / "out.png";
        CHECK(runJob(r, "test", work(h, kind), voiceInto(h), nullptr) == code);
    }
    // With a second input it is a batch's failure: 1.
    Heard h;
    JobRequest r;
    r.inputs = {dir / "bad.png", dir / "good.png"};
    r.out = dir / "out";
    CHECK(runJob(r, "test", work(h, ErrorKind::Unsupported), voiceInto(h), nullptr) == kExitSomeFailed);
}

TEST_CASE("job: a dry run lists what would be written and runs nothing") {
    testutil::TempDir dir;
    fs::create_directories(dir / "in");
    fs::create_directories(dir / "out");
    testutil::writeBytes(dir / "in/a.png", "x");
    testutil::writeBytes(dir / "in/b.jpg", "x");
    testutil::writeBytes(dir / "out/a.png", "old");
    Heard h;
    JobRequest r;
    r.inputs = {dir / "in"};
    r.out = dir / "out";
    r.extension = ".png";
    r.dryRun = true;
    CHECK(runJob(r, "test", work(h), voiceInto(h), nullptr) == kExitOk);
    CHECK(h.runs == 0);
    REQUIRE(h.listing.size() == 2);
    CHECK(h.listing[0] == (dir / "in/a.png") + " -> " + (dir / "out/a.png") + "  (exists: skipped; --overwrite replaces it)");
    CHECK(h.listing[1] == (dir / "in/b.jpg") + " -> " + (dir / "out/b.png"));
    CHECK(h.messages.back() == "test (dry run): 1 would be written, 1 skipped, 0 failed");
    CHECK(testutil::bytesOf(dir / "out/a.png") == "old");
    CHECK_FALSE(fs::exists(dir / "out/b.png"));
}

TEST_CASE("job: no images found, an unused --quality, and a stop") {
    testutil::TempDir dir;
    fs::create_directories(dir / "empty");
    testutil::writeBytes(dir / "empty/readme.txt", "x");
    Heard h;
    JobRequest r;
    r.inputs = {dir / "empty"};
    r.out = dir / "out";
    CHECK(runJob(r, "test", work(h), voiceInto(h), nullptr) == kExitSomeFailed);
    CHECK(said(h.messages, "failed: no images found in " + (dir / "empty")));
    CHECK(h.runs == 0);

    fs::create_directories(dir / "in");
    testutil::writeBytes(dir / "in/a.png", "x");
    testutil::writeBytes(dir / "in/b.png", "x");
    Heard q;
    r.inputs = {dir / "in"};
    r.extension = ".png";
    r.qualityGiven = true;
    CHECK(runJob(r, "test", work(q), voiceInto(q), nullptr) == kExitOk);
    CHECK(said(q.notes, "--quality applies to JPEG and WebP outputs"));
    Heard jpeg;
    r.out = dir / "out-jpeg";
    r.extension = ".jpg";
    CHECK(runJob(r, "test", work(jpeg), voiceInto(jpeg), nullptr) == kExitOk);
    CHECK_FALSE(said(jpeg.notes, "--quality"));

    // Stopped before the first item: nothing written, exit 130, said so.
    Heard s;
    std::atomic<bool> stop{true};
    r.out = dir / "out-stopped";
    CHECK(runJob(r, "test", work(s), voiceInto(s), &stop) == kExitInterrupted);
    CHECK(s.processed == 0);
    CHECK(said(s.messages, ", interrupted"));
}
