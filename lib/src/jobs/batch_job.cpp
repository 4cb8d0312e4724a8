// SPDX-License-Identifier: Apache-2.0
// A command's whole job over files (see batch_job.hpp).
#include "aekit/batch_job.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "aekit/cluster.hpp"
#include "aekit/image.hpp"

namespace aekit {

namespace fs = std::filesystem;

int exitCodeFor(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidArgument: return kExitUsage;
        case ErrorKind::BadFile: return kExitBadFile;
        case ErrorKind::Io: return kExitIo;
        case ErrorKind::Unsupported: return kExitUnsupported;
        case ErrorKind::Engine: return kExitOneDnn;
        case ErrorKind::Internal: return kExitInternal;
    }
    return kExitInternal;
}

namespace {

void say(const std::function<void(const std::string&)>& to, const std::string& text) {
    if (to) to(text);
}

// Standard input or output stands for one image: checked, then planned as one item.
BatchPlan planStreams(const JobRequest& r) {
    BatchPlan plan;
    if (std::find(r.inputs.begin(), r.inputs.end(), "-") != r.inputs.end()) {
        if (r.inputs.size() > 1) fail(ErrorKind::InvalidArgument, "-: standard input holds one image; give it alone");
        if (r.out != "-" && !isImagePath(r.out))
            fail(ErrorKind::InvalidArgument, "-: an image from standard input needs -o FILE.EXT or -o - (not a folder)");
        plan.items.push_back({"-", "standard input", r.out});
        return plan;
    }
    std::error_code ec;
    if (r.inputs.size() != 1 || fs::is_directory(r.inputs[0], ec))
        fail(ErrorKind::InvalidArgument, "-o -: standard output takes one image; give one input file");
    if (!fs::exists(r.inputs[0], ec))
        plan.problems.push_back(r.inputs[0] + ": no such file or folder");
    else if (!isImagePath(r.inputs[0]))
        plan.problems.push_back(r.inputs[0] + ": not a format aekit reads (png, jpg, jpeg, tif, tiff, bmp, webp)");
    else
        plan.items.push_back({r.inputs[0], fs::path(r.inputs[0]).filename().string(), "-"});
    return plan;
}

// What can be known of the inputs and -o before any work, refused once: a named input that does
// not exist, an output file for several images, an output folder that is an input folder.
void checkInputsAndOutput(const JobRequest& r) {
    std::error_code ec;
    bool folderInput = false;
    for (const auto& in : r.inputs) {
        if (!fs::exists(in, ec)) fail(ErrorKind::InvalidArgument, in + ": no such file or folder");
        folderInput |= fs::is_directory(in, ec);
    }
    const bool several = folderInput || r.inputs.size() > 1;
    const bool outFolder = fs::is_directory(r.out, ec);
    if (several && !outFolder && fs::exists(r.out, ec))
        fail(ErrorKind::InvalidArgument, "-o " + r.out + ": an existing file, but the outputs of " +
                                             (folderInput ? "a folder" : "several inputs") + " need a folder");
    if (several && !outFolder && isImagePath(r.out))
        fail(ErrorKind::InvalidArgument, "-o " + r.out + ": names one image, but " + (folderInput ? "a folder holds" : "several inputs are") +
                                             " several (name a folder)");
    if (outFolder)
        for (const auto& in : r.inputs)
            if (fs::is_directory(in, ec) && fs::equivalent(in, r.out, ec))
                fail(ErrorKind::InvalidArgument, "-o " + r.out + ": is the input folder " + in +
                                                     " itself (outputs would sit among the inputs; choose another folder)");
}

// A dry run: what would be written, skipped and refused; runs nothing.
int listPlan(const BatchPlan& plan, const JobRequest& r, const char* verb, const JobVoice& voice) {
    size_t existing = 0;
    for (const auto& item : plan.items) {
        std::error_code ec;
        const bool exists = item.output != "-" && fs::exists(item.output, ec);
        existing += exists && !r.overwrite;
        say(voice.listing, item.input + " -> " + item.output +
                               (exists ? (r.overwrite ? "  (replaces the existing file)" : "  (exists: skipped; --overwrite replaces it)") : ""));
    }
    for (const auto& f : plan.problems) say(voice.message, "failed: " + f);
    if (!voice.quiet)
        say(voice.message, std::string(verb) + " (dry run): " + std::to_string(plan.items.size() - existing) + " would be written, " +
                               std::to_string(existing) + " skipped, " + std::to_string(plan.problems.size()) + " failed");
    return plan.problems.empty() ? kExitOk : kExitSomeFailed;
}

}  // namespace

int runJob(const JobRequest& r, const char* verb, const JobRun& run, const JobVoice& voice, const std::atomic<bool>* stop) {
    if (r.inputs.empty()) fail(ErrorKind::InvalidArgument, "give at least one input file or folder (or - for standard input)");
    if (r.out.empty()) fail(ErrorKind::InvalidArgument, "-o: name the output file or folder (or - for standard output)");
    if (!r.formatName.empty() && r.out != "-" && isImagePath(r.out) && imageFormatOf(r.out) != r.extension)
        fail(ErrorKind::InvalidArgument, "-o " + r.out + " with --format " + r.formatName + ": the two name different formats");
    const bool streams = r.out == "-" || std::find(r.inputs.begin(), r.inputs.end(), "-") != r.inputs.end();
    if (!streams) checkInputsAndOutput(r);
    const BatchPlan plan = streams ? planStreams(r) : planBatch(r.inputs, r.out, r.extension, r.overwrite);
    if (plan.items.empty() && plan.problems.empty()) {
        std::string named;
        for (const auto& in : r.inputs) named += (named.empty() ? "" : ", ") + in;
        say(voice.message, "failed: no images found in " + named + " (png, jpg, jpeg, tif, tiff, bmp, webp)");
        return kExitSomeFailed;
    }
    const Cluster& cluster = Cluster::job();
    if (cluster.leader()) {
        for (const auto& s : plan.skipped) say(voice.note, s);
        // --quality given, but no output is JPEG or WebP (standard output's format is the input's).
        if (r.qualityGiven && !plan.items.empty() &&
            std::none_of(plan.items.begin(), plan.items.end(), [](const BatchItem& i) { return i.output == "-" || isLossyImagePath(i.output); }))
            say(voice.note, "--quality applies to JPEG and WebP outputs; these outputs are lossless, so it is unused");
    }
    if (r.dryRun) return cluster.leader() ? listPlan(plan, r, verb, voice) : kExitOk;  // the leader lists the whole job

    // Under mpirun each rank takes its share of the files; the leader shows its own progress and
    // prints the job's summary. Standard output is always written (a file named "-" is not the output).
    const BatchPlan mine = rankShare(plan, r.overwrite, cluster);
    const auto progress = [&](size_t done, size_t failed) {
        if (voice.progress && cluster.leader()) voice.progress(done, failed, mine.items.size());
    };
    const BatchReport report = gatherReports(run(mine, r.overwrite || r.out == "-", progress, stop), cluster);
    if (voice.progressEnd && cluster.leader()) voice.progressEnd();
    const auto stopped = [&] { return stop && *stop; };
    if (!cluster.leader()) {  // the job's exit code is the leader's, on every rank
        int64_t code = 0;
        cluster.sum(&code, 1);
        return int(code);
    }
    if (!voice.quiet)
        for (const auto& s : report.skipped) say(voice.message, "skipped: " + s + " exists (use --overwrite)");
    std::vector<std::string> failures = plan.problems;
    failures.insert(failures.end(), report.failures.begin(), report.failures.end());
    for (const auto& f : failures) say(voice.message, "failed: " + f);
    if (!voice.quiet)
        say(voice.message, std::string(verb) + ": " + std::to_string(report.done) + " written, " + std::to_string(report.skipped.size()) +
                               " skipped, " + std::to_string(failures.size()) + " failed" +
                               (report.interrupted || stopped() ? ", interrupted" : ""));
    int64_t code = report.interrupted ? kExitInterrupted : failures.empty() ? kExitOk : kExitSomeFailed;
    // One image named on the command line: its own error's code (3 malformed, 5 unsupported), not a batch's 1.
    std::error_code ec;
    if (code == kExitSomeFailed && r.inputs.size() == 1 && !fs::is_directory(r.inputs[0], ec) && plan.problems.empty() &&
        report.failures.size() == 1 && report.failureKinds.size() == 1)
        code = exitCodeFor(report.failureKinds[0]);
    if (stopped()) code = kExitInterrupted;  // a stop during the last item (reading standard input) is still a stop
    cluster.sum(&code, 1);
    return int(code);
}

}  // namespace aekit
