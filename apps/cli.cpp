// SPDX-License-Identifier: Apache-2.0
// CLI plumbing (see cli.hpp).
#include "cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "aekit/batch_job.hpp"
#include "aekit/cluster.hpp"
#include "aekit/error.hpp"
#include "aekit/network.hpp"

namespace cli {

namespace fs = std::filesystem;

std::string printable(const std::string& text, size_t most) {
    // Valid UTF-8 is kept (accented names print as they are); control characters (escape sequences
    // that would retitle or clear a terminal) and bytes that are no UTF-8 become \xNN; newlines a space.
    std::string out;
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool valid = len > 0 && i + len <= n;
        for (size_t k = 1; valid && k < len; ++k) valid = (s[i + k] & 0xC0) == 0x80;
        if (valid && len == 1 && (c >= 0x20 && c != 0x7F)) {
            out += char(c);
        } else if (valid && len == 1 && (c == '\n' || c == '\r' || c == '\t')) {
            out += ' ';
        } else if (valid && len > 1 && !(len == 2 && c == 0xC2 && s[i + 1] < 0xA0)) {  // C1 controls are U+0080-U+009F
            out.append(text, i, len);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            out += hex;
            i += 1;
            continue;
        }
        i += len;
    }
    // A string cut in its middle down to about `keep` characters (never inside a character).
    auto cutMiddle = [](const std::string& whole, size_t keep) {
        size_t head = keep / 2, tail = whole.size() - keep / 2;
        while (head > 0 && (static_cast<unsigned char>(whole[head]) & 0xC0) == 0x80) --head;
        while (tail < whole.size() && (static_cast<unsigned char>(whole[tail]) & 0xC0) == 0x80) ++tail;
        return whole.substr(0, head) + " ... (" + std::to_string(tail - head) + " characters cut) ... " + whole.substr(tail);
    };
    // First each long word (a path, a JSON value) is cut in its middle, so that the words around it,
    // the reason, stay whole; then a text still too long keeps its start and its end.
    constexpr size_t kLongWord = 160;
    if (out.size() > most) {
        std::string words;
        for (size_t i = 0; i < out.size();) {
            const size_t j = std::min(out.find(' ', i), out.size());
            const std::string word = out.substr(i, j - i);
            words += word.size() > kLongWord ? cutMiddle(word, kLongWord) : word;
            if (j < out.size()) words += ' ';
            i = j + 1;
        }
        out = std::move(words);
    }
    if (out.size() > most) out = cutMiddle(out, most);
    return out;
}

std::string oneLine(std::string text) {
    return printable(text, 600);  // a hostile file's text (a 100 KB metadata value) is not echoed whole
}

namespace {

int runGuarded(const std::function<int()>& body, const std::string& who) {
    try {
        return body();
    } catch (const aekit::Error& e) {
        std::cerr << "aekit: " << who << oneLine(e.what()) << "\n";
        return aekit::exitCodeFor(e.kind());
    } catch (const po::error& e) {
        std::cerr << "aekit: " << who << oneLine(e.what()) << " (see --help)\n";
        return kUsage;
    } catch (const std::bad_alloc&) {
        std::cerr << "aekit: " << who << "out of memory (try a smaller --tile or --batch)\n";
        return kUnknown;
    } catch (const std::exception& e) {
        std::cerr << "aekit: " << who << "unexpected error: " << oneLine(e.what()) << "\n";
        return kUnknown;
    }
}

}  // namespace

int guarded(const std::function<int()>& body) {
    const aekit::Cluster& cluster = aekit::Cluster::job();
    if (!cluster.distributed()) return runGuarded(body, "");
    // A rank that fails ends the whole job with its code: the others may be waiting for it in a
    // collective, and a job of ranks has one exit code.
    bool failed = true;
    const int code = runGuarded(
        [&] {
            const int c = body();
            failed = false;
            return c;
        },
        "rank " + std::to_string(cluster.rank()) + ": ");
    if (failed) cluster.abort(code);
    return code;
}

bool parseOnly = false;

bool parse(int argc, char** argv, const std::string& usage, const po::options_description& options,
           const po::positional_options_description& positionals, po::variables_map& vm,
           const po::options_description* hidden) {
    // Boost.Program_options 1.74 builds its error messages by replacing placeholders (%value%) with
    // the argument's text until none is left: an argument that contains one makes that loop endless
    // (found by the command-line fuzzer). Such arguments are refused before Boost sees them.
    for (int i = 1; i < argc; ++i)
        for (const char* token : {"%value%", "%option%", "%canonical_option%", "%prefix_option%", "%original_token%"})
            if (std::strstr(argv[i], token))
                throw aekit::Error(aekit::ErrorKind::InvalidArgument,
                                   "argument " + std::to_string(i) + " contains '" + token + "', which aekit refuses in any argument");
    po::options_description all;
    all.add(options);
    if (hidden) all.add(*hidden);
    po::store(po::command_line_parser(argc, argv).options(all).positional(positionals).run(), vm);
    if (vm.count("help")) {
        std::cout << usage << "\n\n" << options << "\n";
        return false;
    }
    po::notify(vm);
    if (vm.count("quiet")) applyVerbosity(vm);
    if (parseOnly) throw Parsed{};
    return true;
}

void addCommon(po::options_description& options) {
    options.add_options()("threads", po::value<int>()->default_value(0), "threads (0: all cores; at most 4 per core)")("help,h", "this help");
}

int checkedThreads(const po::variables_map& vm) {
    const int t = vm["threads"].as<int>();
    // More threads than a few per core only wait on each other, and OpenMP's per-thread stacks make
    // tens of thousands of them a crash rather than a slow run.
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int most = kThreadsPerCore * cores;
    if (t < 0 || t > most)
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--threads must be 0 (all cores) to " + std::to_string(most) + " (" +
                                                               std::to_string(kThreadsPerCore) + " times this machine's " +
                                                               std::to_string(cores) + " cores), not " + std::to_string(t));
    return t;
}

void applyThreads(const po::variables_map& vm) { aekit::setThreads(checkedThreads(vm), aekit::Cluster::job().localSize()); }

void addPrecision(po::options_description& options) {
    options.add_options()("precision", po::value<std::string>()->default_value("f32"),
                          "f32 | bf16 (about 2x faster on CPUs with AVX512-BF16)")(
        "conv-algorithm", po::value<std::string>()->default_value("auto"),
        "f32 convolutions: auto (Winograd where faster) | direct");
}

aekit::Precision precision(const po::variables_map& vm) {
    aekit::setConvAlgorithm(aekit::parseConvAlgorithm(vm["conv-algorithm"].as<std::string>()));
    const aekit::Precision p = aekit::parsePrecision(vm["precision"].as<std::string>());
    if (p == aekit::Precision::BF16 && !aekit::bf16Supported())
        throw aekit::Error(aekit::ErrorKind::Unsupported, "--precision bf16: this CPU has no AVX512-BF16 (use f32)");
    return p;
}

void addColourOptions(po::options_description& options, aekit::InferenceOptions& io) {
    options.add_options()("size", po::value(&io.colorizeSize)->default_value(-1, "model's"),
                          "colorize: working resolution (long side) of the colour; 0: full (default: the model's, "
                          "512 for photos, 640 for documents)")(
        "colour-decode", po::value(&io.colourDecode)->default_value("", "model's"),
        "colorize: how a pixel's colour is chosen: mean (of the likely colours) | neutral-or-colour (neutral "
        "where that is likelier, else the mean of the colours: ink stays ink; the document model's)")(
        "colour-upsample", po::value<std::string>()->default_value("guided"),
        "colorize: guided (colour follows the full-resolution lightness's edges) | bilinear")(
        "vividness", po::value(&io.vividness)->default_value(-1, "model's"),
        "colorize: 0 (faithful colours: best PSNR, muted where unsure) to 1 (vivid)");
}

void applyColourOptions(const po::variables_map& vm, aekit::InferenceOptions& io) {
    if (!vm["size"].defaulted() && io.colorizeSize < 0)  // -1 is "the model's", which only the default means
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--size: 0 (full resolution) or a side in pixels");
    const std::string method = vm["colour-upsample"].as<std::string>();
    if (method != "guided" && method != "bilinear")
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--colour-upsample: guided or bilinear");
    io.guidedColour = method == "guided";
}

std::vector<std::string> modelSearchPath() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("AEKIT_MODELS")) dirs.push_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        dirs.push_back((exe.parent_path() / ".." / "share" / "aekit" / "models").lexically_normal().string());
        dirs.push_back((exe.parent_path() / "models").string());
    }
#ifdef AEKIT_SOURCE_MODELS_DIR
    dirs.push_back(AEKIT_SOURCE_MODELS_DIR);
#endif
    return dirs;
}

std::string resolveModel(const std::string& nameOrPath, aekit::Task task) {
    std::string name = nameOrPath;
    if (name.empty()) {
        if (task == aekit::Task::Colorize)
            name = "colorize";
        else if (task == aekit::Task::Denoise)
            name = "photo";  // colour images; cmd_denoise takes "photo-gray" for grey ones (it measured better on grey real noise)
        else
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--model: no default model for this task; name one");
    }
    if (name.find('/') != std::string::npos || name.find(".safetensors") != std::string::npos) {
        if (!fs::exists(name)) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--model " + name + ": no such model file");
        return name;
    }
    // Other spellings users type for the same models.
    if (name == "gaussian" || name == "colour") name = "color";
    if (name == "grey") name = "gray";
    if (task == aekit::Task::Colorize && name == "document") name = "colorize-document";  // `colorize --model document`
    const bool colorizer = name == "colorize" || name == "colorize-document";
    const std::string file = colorizer ? name + ".safetensors" : "denoise-" + name + ".safetensors";
    for (const auto& dir : modelSearchPath()) {
        const fs::path p = fs::path(dir) / file;
        if (fs::exists(p)) return p.string();
    }
    std::string where;
    for (const auto& d : modelSearchPath()) where += " " + d;
    throw aekit::Error(aekit::ErrorKind::InvalidArgument, "model '" + name + "' (" + file + ") not found in:" + where +
                                                 " (names: photo, photo-gray, color (or gaussian), gray, document, colorize, colorize-document (colorize --model document); or give a path)");
}

bool Progress::onTerminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(size_t total, std::string what)
    : total_(total), what_(std::move(what)), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(size_t done, size_t failed) {
    if (!onTerminal()) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(200)) return;
    // While a decoder on the reading thread holds stderr, this update is left to the next one.
    const auto lock = aekit::stderrLock(done >= total_);
    if (!lock.owns_lock()) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    const double rate = done / std::max(1e-9, s);
    const double eta = rate > 0 ? double(total_ - done) / rate : 0;
    const int width = 30;
    const int filled = total_ ? int(width * done / total_) : width;
    std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu  %.2f/s  ETA %.0fs%s   ", what_.c_str(), filled,
                 "##############################", width - filled, "", done, total_, rate, eta,
                 failed ? ("  failed " + std::to_string(failed)).c_str() : "");
    std::fflush(stderr);
    shown_ = true;
}

void Progress::finish() {
    if (shown_) std::fprintf(stderr, "\n");
    shown_ = false;
}

namespace {
std::atomic<bool> gStop{false};
void onSignal(int) {
    if (gStop.exchange(true)) std::_Exit(kInterrupted);
}
}  // namespace

const std::atomic<bool>* installStopHandler() {
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    return &gStop;
}

namespace {

// -o out.gif would otherwise make a folder named out.gif: an image-like name aekit cannot write is refused.
void refuseUnknownImageExtension(const std::string& out) {
    static const char* const unsupported[] = {".gif", ".heic", ".heif", ".avif", ".jxl", ".jp2", ".j2k", ".ppm", ".pgm", ".pbm",
                                              ".pnm", ".exr", ".hdr", ".ico", ".svg", ".psd", ".dng", ".raw", ".tga", ".pdf"};
    std::string ext = fs::path(out).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    for (const char* u : unsupported)
        if (ext == u)
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, "-o " + out + ": aekit does not write " + ext.substr(1) +
                                                                      " (png, jpg, tif, bmp or webp; or a folder)");
}

}  // namespace

Verbosity verbosity = Verbosity::Normal;

void note(const std::string& text) {
    if (verbosity == Verbosity::Quiet) return;
    const auto lock = aekit::stderrLock();
    std::cerr << "note: " << oneLine(text) << "\n";
}

void noteRaisedTile(const aekit::InferenceOptions& io, const aekit::ImageModel& model) {
    const int useful = model.smallestUsefulTile();
    if (io.tile > 0 && io.tile < useful)
        note("--tile " + std::to_string(io.tile) + " would keep little of each tile (the model needs " + std::to_string(useful / 4) +
             " px of context on each side); raised to " + std::to_string(useful));
}

namespace {

// --format's extension: ".png", ".jpg", ".tif", ".webp" or ".bmp".
std::string formatExtension(const std::string& format) {
    std::string f = format;
    std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (f == "jpeg") f = "jpg";
    if (f == "tiff") f = "tif";
    return "." + f;
}

void checkFormat(const std::string& format) {
    const std::string ext = formatExtension(format);
    if (ext != ".png" && ext != ".jpg" && ext != ".tif" && ext != ".webp" && ext != ".bmp")
        throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--format " + format + ": png, jpg, tif, webp or bmp");
}


}  // namespace


void addBatchOptions(po::options_description& options, po::positional_options_description& positionals, BatchArgs& a,
                     const char* inputsHelp) {
    options.add_options()("input", po::value(&a.inputs)->multitoken(), inputsHelp)(
        "output,o", po::value(&a.out)->required()->notifier(refuseUnknownImageExtension),
        "output folder (mirrors the inputs' relative paths), a file for one input, or - (standard output)")(
        "format", po::value(&a.format)->notifier(checkFormat),
        "outputs' format: png | jpg | tif | webp | bmp (default: each input's; from standard input, png)")(
        "quality", po::value(&a.write.quality)->default_value(0)->notifier([](const int& q) {
            if (q < 0 || q > 100) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--quality: 1 to 100 (0: the default)");
        }),
        "JPEG and WebP quality, 1-100 (0: JPEG 95, WebP lossless)")(
        "max-pixels", po::value(&a.read.maxPixels)->default_value(a.read.maxPixels)->notifier(positiveSize("--max-pixels")),
        "refuse images with more pixels")(
        "overwrite", po::bool_switch(&a.overwrite), "replace outputs that exist (inputs are never overwritten)")(
        "dry-run", po::bool_switch(&a.dryRun), "list what would be written (input -> output) and stop")(
        "quiet,q", po::bool_switch(), "errors only")("verbose,v", po::bool_switch(), "also each file as it is written, with its megapixels and seconds");
    positionals.add("input", -1);
}

void applyVerbosity(const po::variables_map& vm) {
    const bool quiet = vm.count("quiet") && vm["quiet"].as<bool>(), verbose = vm.count("verbose") && vm["verbose"].as<bool>();
    if (quiet && verbose) throw aekit::Error(aekit::ErrorKind::InvalidArgument, "-q and -v: choose one");
    verbosity = quiet ? Verbosity::Quiet : verbose ? Verbosity::Verbose : Verbosity::Normal;
}

po::typed_value<std::string>* seedValue(uint64_t& seed) {
    return po::value<std::string>()->default_value(std::to_string(seed))->notifier([&seed](const std::string& s) {
        const bool digits = !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
        errno = 0;
        const unsigned long long v = digits ? std::strtoull(s.c_str(), nullptr, 10) : 0;
        if (!digits || errno == ERANGE)
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, "--seed: a whole number from 0 to 18446744073709551615, not '" + s + "'");
        seed = v;
    });
}

std::function<void(const uint64_t&)> positiveSize(const char* option) {
    return [option](const uint64_t& v) {
        if (v == 0 || v > (uint64_t(1) << 40))
            throw aekit::Error(aekit::ErrorKind::InvalidArgument, std::string(option) + ": a positive number, at most 2^40");
    };
}


namespace {


// The verbose line for an item written: input -> output (megapixels, seconds since it started).
void printWritten(const aekit::BatchItem& item, std::chrono::steady_clock::time_point start) {
    const uint64_t pixels = item.input == "-" ? 0 : aekit::declaredPixels(item.input);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto lock = aekit::stderrLock();
    std::cerr << item.input << " -> " << item.output << "  (";
    if (pixels) std::cerr << double(pixels) / 1e6 << " MP, ";
    std::cerr << seconds << " s)\n";
}

int runPlanned(const BatchArgs& a, const char* verb, const aekit::JobRun& run, const std::string& defaultExtension) {
    aekit::JobRequest request;
    request.inputs = a.inputs;
    request.out = a.out;
    request.extension = a.format.empty() ? defaultExtension : formatExtension(a.format);
    request.formatName = a.format;
    request.overwrite = a.overwrite;
    request.dryRun = a.dryRun;
    request.qualityGiven = a.write.quality > 0;
    aekit::JobVoice voice;
    voice.note = note;
    voice.message = [](const std::string& line) { std::cerr << oneLine(line) << "\n"; };
    voice.listing = [](const std::string& line) { std::cout << line << "\n"; };
    voice.quiet = verbosity == Verbosity::Quiet;
    std::unique_ptr<Progress> progress;
    if (!voice.quiet) {
        const std::string what = aekit::Cluster::job().distributed() ? std::string(verb) + " (rank 0's share)" : std::string(verb);
        voice.progress = [&progress, what](size_t done, size_t failed, size_t total) {
            if (!progress) progress = std::make_unique<Progress>(total, what);
            progress->update(done, failed);
        };
        voice.progressEnd = [&progress] {
            if (progress) progress->finish();
        };
    }
    return aekit::runJob(request, verb, run, voice, a.dryRun ? nullptr : installStopHandler());
}

}  // namespace

int runImageBatch(const BatchArgs& a, const char* verb, const std::function<void(const aekit::BatchItem&)>& process,
                  const std::string& defaultExtension) {
    auto each = [&](const aekit::BatchItem& item) {
        const auto start = std::chrono::steady_clock::now();
        process(item);
        if (verbosity == Verbosity::Verbose) printWritten(item, start);
    };
    return runPlanned(
        a, verb,
        [&](const aekit::BatchPlan& plan, bool overwrite, const std::function<void(size_t, size_t)>& progress,
            const std::atomic<bool>* stop) { return aekit::runBatch(plan, overwrite, each, progress, stop); },
        defaultExtension);
}

int runImageBatch(const BatchArgs& a, const char* verb, const ComputeImage& compute, const aekit::InferenceOptions& inference,
                  const std::string& defaultExtension) {
    // Each item's clock starts when its reading does (on the reading thread).
    std::mutex startsMutex;
    std::map<const aekit::BatchItem*, std::chrono::steady_clock::time_point> starts;
    aekit::BatchStages s;
    s.read = [&](const aekit::BatchItem& item) {
        if (verbosity == Verbosity::Verbose) {
            const std::lock_guard<std::mutex> lock(startsMutex);
            starts[&item] = std::chrono::steady_clock::now();
        }
        return readInput(item.input, a.read);
    };
    s.compute = [&](const aekit::BatchItem& item, aekit::Image&& input) {
        aekit::Image in = std::move(input);  // freed before the writer needs its own planes
        return compute(item, std::move(in));
    };
    s.write = [&](const aekit::BatchItem& item, const aekit::Image& output) {
        writeOutput(item, output, a);
        if (verbosity == Verbosity::Verbose) {
            std::chrono::steady_clock::time_point start;
            {
                const std::lock_guard<std::mutex> lock(startsMutex);
                start = starts[&item];
                starts.erase(&item);
            }
            printWritten(item, start);
        }
    };
    // Reading ahead and writing behind hold up to two images beside the network's.
    s.overlapPixels = aekit::pipelineImagePixels(inference);
    return runPlanned(
        a, verb,
        [&](const aekit::BatchPlan& plan, bool overwrite, const std::function<void(size_t, size_t)>& progress,
            const std::atomic<bool>* stop) { return aekit::runBatch(plan, overwrite, s, progress, stop); },
        defaultExtension);
}

namespace {

// Whether the first bytes of a stream are those of a format aekit reads (12 bytes, or all there are).
bool knownSignature(const std::vector<uint8_t>& b) {
    auto starts = [&](std::initializer_list<int> sig) {
        size_t i = 0;
        for (int c : sig) {
            if (i >= b.size() || (c >= 0 && b[i] != c)) return false;
            ++i;
        }
        return true;
    };
    return starts({0x89, 'P', 'N', 'G'}) || starts({0xFF, 0xD8, 0xFF}) || starts({'I', 'I', 42, 0}) || starts({'M', 'M', 0, 42}) ||
           starts({'B', 'M'}) || starts({'R', 'I', 'F', 'F', -1, -1, -1, -1, 'W', 'E', 'B', 'P'});
}

}  // namespace

aekit::Image readInput(const std::string& path, const aekit::ReadOptions& options) {
    std::vector<std::string> notes;
    aekit::ReadOptions o = options;
    o.notes = &notes;
    aekit::Image image;
    if (path == "-") {
        std::vector<uint8_t> bytes;
        std::vector<char> buf(1 << 16);
        // No image within --max-pixels takes more than 8 bytes a pixel (16-bit RGBA, uncompressed) and
        // its headers: refused as soon as a stream passes that, not after reading it all.
        const uint64_t most = std::min<uint64_t>(o.maxFileBytes, o.maxPixels * 8 + (16 << 20));
        bool sniffed = false;
        while (std::cin.read(buf.data(), std::streamsize(buf.size())) || std::cin.gcount() > 0) {
            bytes.insert(bytes.end(), buf.data(), buf.data() + std::cin.gcount());
            if (!sniffed && bytes.size() >= 12) {
                if (!knownSignature(bytes))
                    throw aekit::Error(aekit::ErrorKind::BadFile, "standard input: not a PNG, JPEG, TIFF, BMP or WebP stream (unknown signature)");
                sniffed = true;
            }
            if (bytes.size() > most)
                throw aekit::Error(aekit::ErrorKind::BadFile, "standard input: more than " + std::to_string(most >> 20) +
                                                                  " MB, beyond any image within --max-pixels");
        }
        if (gStop) throw aekit::Error(aekit::ErrorKind::Io, "standard input: interrupted");
        image = aekit::decodeImage(bytes.data(), bytes.size(), "standard input", o);
    } else {
        image = aekit::readImage(path, o);
    }
    for (const auto& n : notes) note(n);
    return image;
}

void writeOutput(const aekit::BatchItem& item, const aekit::Image& image, const BatchArgs& args) {
    std::vector<std::string> notes;
    if (item.output == "-") {
        std::string format = ".png";
        if (!args.format.empty())
            format = formatExtension(args.format);
        else if (item.input != "-" && aekit::isImagePath(item.input))
            format = aekit::imageFormatOf(item.input);
        const std::vector<uint8_t> bytes = aekit::encodeImage(image, format, args.write, &notes);
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0)
            throw aekit::Error(aekit::ErrorKind::Io, "standard output: cannot write the image");
    } else {
        notes = aekit::writeImage(item.output, image, args.write);
    }
    for (const auto& n : notes) note(n);
}

}  // namespace cli
