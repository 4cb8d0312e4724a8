// SPDX-License-Identifier: Apache-2.0
// A command's whole job over files, as the aekit program runs it: what the user named checked once
// before any work, the plan (inputs -> outputs), a dry run's listing, this rank's share under
// mpirun, the run with progress and a stop, then skipped files, failures, a summary and the job's
// exit code. The program only parses options and says how to read, compute and write an item.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "aekit/batch.hpp"
#include "aekit/error.hpp"

namespace aekit {

// The process's exit codes (README lists them).
enum ExitCode : int {
    kExitOk = 0,
    kExitSomeFailed = 1,    // a batch finished but some items failed
    kExitUsage = 2,         // bad options or arguments
    kExitBadFile = 3,       // an input file is malformed
    kExitIo = 4,            // file system error
    kExitUnsupported = 5,   // valid but unsupported input
    kExitInternal = 70,     // a bug in aekit
    kExitOneDnn = 71,       // oneDNN refused or failed
    kExitUnknown = 72,      // anything else
    kExitInterrupted = 130  // SIGINT/SIGTERM: stopped cleanly
};
int exitCodeFor(ErrorKind kind);

struct JobRequest {
    std::vector<std::string> inputs;  // files and folders, or "-" (standard input) alone
    std::string out;                  // a folder, one image's file name, or "-" (standard output)
    std::string extension;            // the outputs' (".png"); "" keeps each input's
    std::string formatName;           // --format as given ("jpeg"; "": not given): -o's extension must agree
    bool overwrite = false;
    bool dryRun = false;
    bool qualityGiven = false;  // --quality was given: noted as unused when no output is lossy
};

// How a job speaks. Each is optional (unset: silent). Lines are raw (file names as found): the
// caller makes untrusted text printable.
struct JobVoice {
    std::function<void(const std::string&)> note;     // a remark that changes nothing ("note: ...")
    std::function<void(const std::string&)> message;  // "skipped: ...", "failed: ...", the summary
    std::function<void(const std::string&)> listing;  // a dry run's "input -> output" lines (stdout)
    // This rank's items done and failed of its `total`, as they finish (the leader's only); then
    // progressEnd, before the job's last lines.
    std::function<void(size_t done, size_t failed, size_t total)> progress;
    std::function<void()> progressEnd;
    bool quiet = false;  // -q: no skipped lines, no summary (failures are still said)
};

// Runs the planned items; the batch runners of batch.hpp, with the stages a command needs.
using JobRun = std::function<BatchReport(const BatchPlan&, bool overwrite, const std::function<void(size_t, size_t)>& progress,
                                         const std::atomic<bool>* stop)>;

// Checks the request (throws Error(InvalidArgument) with one line: no inputs, no -o, a named input
// that does not exist, an existing file or an image name as -o for several outputs, -o equal to an
// input folder, --format against -o's extension, standard input or output with more than one
// image), plans it, and runs it as one job of the process's ranks (Cluster::job()). `verb` names
// the job in its summary ("denoise: 3 written, 0 skipped, 1 failed"). Returns the job's exit code,
// the same on every rank: 0; 1 when a file failed or no image was found; 130 when stopped; for a
// single image named alone, its own error's code (3 malformed, 4 I/O, 5 unsupported).
int runJob(const JobRequest& request, const char* verb, const JobRun& run, const JobVoice& voice, const std::atomic<bool>* stop);

}  // namespace aekit
