// SPDX-License-Identifier: Apache-2.0
// Batches of files: inputs (files and folders, recursive) mapped to outputs that mirror their
// relative paths, with the never-overwrite-an-input rule, and a runner that carries on past failures.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aekit/error.hpp"
#include "aekit/image.hpp"

namespace aekit {

struct BatchItem {
    std::string input;     // path as found
    std::string relative;  // path relative to the folder it was found in (file name for a file)
    std::string output;    // output path (extension replaced when outputExtension is set)
    // The output is an image that was already in an output folder inside an input folder: the user's
    // file as far as aekit knows, so it is never overwritten (skipped when it exists, even with overwrite).
    bool keep = false;
};

struct BatchPlan {
    std::vector<BatchItem> items;
    std::vector<std::string> skipped;   // non-image files, with why
    std::vector<std::string> problems;  // missing inputs, refused outputs: each one line
};

// inputs: files or folders. out: a folder (created as needed), or a file name when there is exactly
// one input file and out has an image extension. outputExtension (".png") replaces the input's.
// An output that resolves to the same file as any input is refused (listed in problems).
// Temporary files of an interrupted run (.NAME.aekit-tmp-RANDOM) are ignored, never inputs, and so is an
// output folder that lies inside an input folder (a rerun never takes the outputs as inputs); the
// images already in such a folder are never overwritten (BatchItem::keep), even with overwrite (then
// with a note in skipped). The same file named twice is taken once, with a note.
BatchPlan planBatch(const std::vector<std::string>& inputs, const std::string& out,
                    const std::string& outputExtension = "", bool overwrite = false);

// All image files under the given folders (recursive, sorted), as paths; throws Error(Io) naming a
// missing folder.
std::vector<std::string> listImages(const std::vector<std::string>& folders);
// path relative to root, lexically (symbolic links are not followed): "a/b/c.png", "a" -> "b/c.png".
std::string relativePath(const std::string& path, const std::string& root);


struct BatchReport {
    size_t done = 0;
    std::vector<std::string> skipped;   // outputs that existed (no overwrite)
    std::vector<std::string> failures;  // one line each: file and what went wrong
    std::vector<ErrorKind> failureKinds;  // the same order: what kind of error each was (this process's)
    bool interrupted = false;
};

// Runs process(item) for each planned item: creates the output's folder, skips existing outputs
// unless overwrite, records an Error as a failure and carries on, reports progress(done, failed).
// Stops between items when *stop becomes true.
BatchReport runBatch(const BatchPlan& plan, bool overwrite, const std::function<void(const BatchItem&)>& process,
                     const std::function<void(size_t done, size_t failed)>& progress,
                     const std::atomic<bool>* stop = nullptr);

// An image job in three stages, which the runBatch below overlaps: while compute runs on one item
// (on the calling thread), the next item is read and the one before it written, each on a thread
// of its own, so that decoding and encoding hide behind the network. The overlap holds up to two
// images beside the one computed; an image whose header declares more than overlapPixels (the
// memory plan's figure, aekit::pipelineImagePixels) is read only when it is its turn, and written
// before the next item is computed. overlapPixels 0: the stages run one after another.
struct BatchStages {
    std::function<Image(const BatchItem&)> read;
    std::function<Image(const BatchItem&, Image&& input)> compute;
    std::function<void(const BatchItem&, const Image& output)> write;
    uint64_t overlapPixels = 0;
};
// As runBatch above, with the stages overlapped; items are reported (and progress called, on the
// calling thread) in the plan's order. A stop lets the item being computed be written.
BatchReport runBatch(const BatchPlan& plan, bool overwrite, const BatchStages& stages,
                     const std::function<void(size_t done, size_t failed)>& progress,
                     const std::atomic<bool>* stop = nullptr);

class Cluster;
// A job of several ranks (mpirun) splits one plan: this rank's items, balanced by the pixels each
// input's header declares (an output that exists and will be skipped costs nothing; an input whose
// header says nothing costs its file size). Every rank computes the same split; items keep their order.
BatchPlan rankShare(const BatchPlan& plan, bool overwrite, const Cluster& cluster);
// Every rank's report merged on the leader (counts added, lists in rank order); other ranks get
// their own back. Collective.
BatchReport gatherReports(const BatchReport& mine, const Cluster& cluster);

}  // namespace aekit
