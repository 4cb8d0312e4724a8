// SPDX-License-Identifier: Apache-2.0
// Batches of files: inputs (files and folders, recursive) mapped to outputs that mirror their
// relative paths, with the never-overwrite-an-input rule, and a runner that carries on past failures.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace aekit {

struct BatchItem {
    std::string input;     // path as found
    std::string relative;  // path relative to the folder it was found in (file name for a file)
    std::string output;    // output path (extension replaced when outputExtension is set)
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
// output folder that lies inside an input folder (a rerun never takes the outputs as inputs).
BatchPlan planBatch(const std::vector<std::string>& inputs, const std::string& out,
                    const std::string& outputExtension = "");

// All image files under the given folders (recursive, sorted), as paths; throws Error(Io) naming a
// missing folder.
std::vector<std::string> listImages(const std::vector<std::string>& folders);
// path relative to root, lexically (symbolic links are not followed): "a/b/c.png", "a" -> "b/c.png".
std::string relativePath(const std::string& path, const std::string& root);


struct BatchReport {
    size_t done = 0;
    std::vector<std::string> skipped;   // outputs that existed (no overwrite)
    std::vector<std::string> failures;  // one line each: file and what went wrong
    bool interrupted = false;
};

// Runs process(item) for each planned item: creates the output's folder, skips existing outputs
// unless overwrite, records an Error as a failure and carries on, reports progress(done, failed).
// Stops between items when *stop becomes true.
BatchReport runBatch(const BatchPlan& plan, bool overwrite, const std::function<void(const BatchItem&)>& process,
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
