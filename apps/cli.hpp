// SPDX-License-Identifier: Apache-2.0
// Shared CLI plumbing for the aekit subcommands: option parsing, exit codes, error reporting,
// progress lines, model lookup. No algorithm lives here.
#pragma once
#include <boost/program_options.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aekit/batch.hpp"
#include "aekit/batch_job.hpp"
#include "aekit/image.hpp"
#include "aekit/inference.hpp"
#include "aekit/model.hpp"
#include "aekit/network.hpp"

namespace cli {

namespace po = boost::program_options;

// Exit codes (README documents them; the library's aekit::ExitCode).
enum Exit : int {
    kOk = aekit::kExitOk,
    kSomeFailed = aekit::kExitSomeFailed,
    kUsage = aekit::kExitUsage,
    kBadFile = aekit::kExitBadFile,
    kIo = aekit::kExitIo,
    kUnsupported = aekit::kExitUnsupported,
    kInternal = aekit::kExitInternal,
    kOneDnn = aekit::kExitOneDnn,
    kUnknown = aekit::kExitUnknown,
    kInterrupted = aekit::kExitInterrupted
};

// A message as one line of bounded length: printable(text, 600).
std::string oneLine(std::string text);
// Untrusted text made safe to print: valid UTF-8 kept, control characters and invalid bytes as \xNN,
// newlines as spaces, cut in the middle to at most about `most` characters (its start and end kept).
std::string printable(const std::string& text, size_t most);

// Runs body, mapping exceptions to one line on stderr and an exit code.
int guarded(const std::function<int()>& body);

// The option-parsing fuzz target sets parseOnly: parse() then throws Parsed once the options are
// parsed and checked, before a command does any work (not derived from std::exception, so guarded()
// lets it through).
struct Parsed {};
extern bool parseOnly;

// Parses argv (after the subcommand) with positionals; prints help and returns false on --help.
// hidden: options accepted but left out of --help (test hooks).
bool parse(int argc, char** argv, const std::string& usage, const po::options_description& options,
           const po::positional_options_description& positionals, po::variables_map& vm,
           const po::options_description* hidden = nullptr);

// Adds --threads and --help.
void addCommon(po::options_description& options);
// --threads, checked: 0 (all cores) to kThreadsPerCore times the machine's cores.
constexpr int kThreadsPerCore = 4;
int checkedThreads(const po::variables_map& vm);
// Applies --threads, checked.
void applyThreads(const po::variables_map& vm);
// --precision f32|bf16 and --conv-algorithm auto|direct (for commands that run a network);
// precision() reads both, applies the algorithm (process-wide) and refuses bf16 on a CPU without
// AVX512-BF16 with a clear error.
void addPrecision(po::options_description& options);
aekit::Precision precision(const po::variables_map& vm);
// The colorizer's --size (working resolution) and --colour-upsample guided|bilinear; the second
// applies them (refusing a negative size or another method).
void addColourOptions(po::options_description& options, aekit::InferenceOptions& io);
void applyColourOptions(const po::variables_map& vm, aekit::InferenceOptions& io);

// A shipped model: the task's default (denoise: "photo", the colour default; colorize: "colorize"), a
// short name ("photo", "color" (alias "gaussian"), "gray", "document", "colorize"), or a path. Searched
// next to the installed program, then in the source tree's models/.
std::string resolveModel(const std::string& nameOrPath, aekit::Task task);
std::vector<std::string> modelSearchPath();

// A progress line on a terminal (stderr), silent otherwise: count, rate, ETA.
class Progress {
public:
    Progress(size_t total, std::string what);
    void update(size_t done, size_t failed);
    void finish();
    static bool onTerminal();

private:
    size_t total_;
    std::string what_;
    std::chrono::steady_clock::time_point start_, last_;
    bool shown_ = false;
};

// A notifier for unsigned size options (--max-pixels, --max-memory): refuses 0 and values beyond
// 2^40, which is where a negative number typed by the user lands after wrapping.
std::function<void(const uint64_t&)> positiveSize(const char* option);
// --seed: digits only, 0 to 2^64-1, written to `seed` (a plain unsigned option takes -1 as 2^64-1).
po::typed_value<std::string>* seedValue(uint64_t& seed);

// Installs SIGINT/SIGTERM handlers that set the returned flag (a second signal exits at once).
const std::atomic<bool>* installStopHandler();


// How much the commands say on stderr: errors only (-q), notes, progress on a terminal and a
// summary (the default), or also each file as it is written (-v).
enum class Verbosity { Quiet, Normal, Verbose };
extern Verbosity verbosity;
// "note: TEXT" on stderr, unless -q.
void note(const std::string& text);
// Notes that a --tile below the model's smallest useful tile is raised to it (InferenceOptions::raiseSmallTile).
void noteRaisedTile(const aekit::InferenceOptions& io, const aekit::ImageModel& model);

// The options every file-batch command shares: inputs (positional; "-" for standard input), -o
// ("-" for standard output), --format, --quality, --max-pixels, --overwrite, --dry-run, -q, -v.
struct BatchArgs {
    std::vector<std::string> inputs;
    std::string out;
    std::string format;  // "", or png | jpg | tif | webp: the outputs' format
    aekit::ReadOptions read;
    aekit::WriteOptions write;
    bool overwrite = false;
    bool dryRun = false;
};
void addBatchOptions(po::options_description& options, po::positional_options_description& positionals, BatchArgs& args,
                     const char* inputsHelp);
// Applies -q/-v (refusing both at once); parse() calls it for commands that have them.
void applyVerbosity(const po::variables_map& vm);

// Reads an input image ("-": standard input), printing what its decoder warned about as a note
// (the file still decoded).
aekit::Image readInput(const std::string& path, const aekit::ReadOptions& options);
// Writes an output image with --quality ("-": to standard output, in the batch's format), printing
// its losses (depth, alpha, profile) as notes.
void writeOutput(const aekit::BatchItem& item, const aekit::Image& image, const BatchArgs& args);

// Plans the batch (inputs -> outputs), runs process on each item with a progress bar, prints
// skipped files, failures and a summary; returns the exit code (1 when anything failed). With
// --dry-run it lists what would be written and runs nothing. defaultExtension (".png") replaces
// the inputs' extensions when --format is not given.
int runImageBatch(const BatchArgs& args, const char* verb, const std::function<void(const aekit::BatchItem&)>& process,
                  const std::string& defaultExtension = "");

// An image in, an image out: a command's work on one decoded input.
// The input is the command's to consume (a denoiser writes its output over it).
using ComputeImage = std::function<aekit::Image(const aekit::BatchItem&, aekit::Image&& input)>;
// runImageBatch for commands that read an image, compute one and write it: the next input is
// decoded, and the output before it encoded and written, while compute runs (aekit::runBatch's
// stages), within the memory budget of `inference`.
int runImageBatch(const BatchArgs& args, const char* verb, const ComputeImage& compute, const aekit::InferenceOptions& inference,
                  const std::string& defaultExtension = "");

}  // namespace cli
