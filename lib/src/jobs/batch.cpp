// SPDX-License-Identifier: Apache-2.0
// Batch planning: input discovery, output mapping, never-overwrite checks (see aekit/batch.hpp);
// running a plan is batch_run.cpp.
#include "aekit/batch.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "io/atomic_file.hpp"

namespace aekit {

namespace fs = std::filesystem;

namespace {

std::string canonicalOrAbsolute(const fs::path& p) {
    std::error_code ec;
    auto c = fs::weakly_canonical(p, ec);
    return (ec ? fs::absolute(p) : c).string();
}

// exclude: a folder (canonical path) whose images are not taken as inputs: the output folder when it
// lies inside an input folder, so that a rerun never takes the first run's outputs as inputs. Its
// images are still the user's files: they go to `kept`, to be protected like inputs.
// Every folder that cannot be read and every link to a folder (not followed: a link can loop) gets a
// line in `skipped`; a root that cannot be read at all is an error (Error(Io)).
void walk(const fs::path& root, std::vector<std::pair<std::string, std::string>>& found,
          std::vector<std::string>& skipped, const std::string& exclude = "", std::vector<std::string>* kept = nullptr) {
    std::error_code ec;
    std::vector<fs::path> files;
    auto it = fs::recursive_directory_iterator(root, ec);
    if (ec) fail(ErrorKind::Io, root.string() + ": cannot read this folder (" + ec.message() + ")");
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {  // unreadable folders are left out below before the iterator enters them; this is a race
            skipped.push_back(root.string() + ": listing stopped (" + ec.message() + "); the files found so far are taken");
            break;
        }
        if (it->is_symlink(ec) && it->is_directory(ec)) {
            skipped.push_back(it->path().string() + ": a link to a folder, not followed (name the folder itself), skipped");
            continue;
        }
        if (it->is_directory(ec) && ::access(it->path().c_str(), R_OK | X_OK) != 0) {
            skipped.push_back(it->path().string() + ": cannot read this folder (permission denied), skipped");
            it.disable_recursion_pending();
            continue;
        }
        if (!exclude.empty() && it->is_directory(ec) && canonicalOrAbsolute(it->path()) == exclude) {
            it.disable_recursion_pending();
            if (kept) {
                std::vector<std::pair<std::string, std::string>> inside;
                std::vector<std::string> ignored;
                walk(it->path(), inside, ignored);
                for (const auto& f : inside) kept->push_back(f.first);
            }
            continue;
        }
        if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        if (io::isTemporaryPath(f.string())) continue;
        if (!isImagePath(f.string())) {
            skipped.push_back(f.string() + ": not an image file (by extension), skipped");
            continue;
        }
        found.emplace_back(f.string(), relativePath(f.string(), root.string()));
    }
}

}  // namespace

std::string relativePath(const std::string& path, const std::string& root) {
    return fs::path(path).lexically_normal().lexically_relative(fs::path(root).lexically_normal()).string();
}

std::vector<std::string> listImages(const std::vector<std::string>& folders) {
    std::vector<std::string> out;
    for (const auto& folder : folders) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) fail(ErrorKind::Io, folder + ": no such folder");
        std::vector<std::pair<std::string, std::string>> found;
        std::vector<std::string> skipped;
        walk(folder, found, skipped);
        for (auto& f : found) out.push_back(f.first);
    }
    return out;
}

BatchPlan planBatch(const std::vector<std::string>& inputs, const std::string& out, const std::string& outputExtension,
                    bool overwrite) {
    BatchPlan plan;
    std::vector<std::pair<std::string, std::string>> found;  // input, relative
    std::vector<std::string> inOutputFolder;                // images already in an output folder inside an input folder
    const std::string outFolder = canonicalOrAbsolute(out);
    for (const auto& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            try {
                walk(in, found, plan.skipped, outFolder, &inOutputFolder);
            } catch (const Error& e) {  // an input folder named by the user that cannot be read: a failure
                plan.problems.push_back(e.what());
            }
        } else if (fs::exists(in, ec)) {
            if (!isImagePath(in))  // named by the user: a failure, not a quiet skip as inside a folder
                plan.problems.push_back(in + ": not a format aekit reads (png, jpg, jpeg, tif, tiff, bmp, webp)");
            else
                found.emplace_back(in, fs::path(in).filename().string());
        } else {
            plan.problems.push_back(in + ": no such file or folder");
        }
    }
    const bool singleFileOut = found.size() == 1 && inputs.size() == 1 && !fs::is_directory(inputs[0]) &&
                               isImagePath(out) && !fs::is_directory(out);
    std::set<std::string> inputSet, keptSet;
    // The same file named twice (or named and inside a folder named too) is taken once.
    std::vector<std::pair<std::string, std::string>> unique;
    for (auto& f : found)
        if (inputSet.insert(canonicalOrAbsolute(f.first)).second)
            unique.push_back(std::move(f));
        else
            plan.skipped.push_back(f.first + ": named more than once; taken once");
    found = std::move(unique);
    for (const auto& f : inOutputFolder) keptSet.insert(canonicalOrAbsolute(f));
    std::set<std::string> outputSet;
    for (const auto& [input, relative] : found) {
        fs::path o = singleFileOut ? fs::path(out) : fs::path(out) / relative;
        if (!outputExtension.empty() && !singleFileOut) o.replace_extension(outputExtension);
        const std::string canon = canonicalOrAbsolute(o);
        if (inputSet.count(canon)) {
            plan.problems.push_back(input + ": output " + o.string() +
                                    " would overwrite an input; refused (choose another output folder)");
            continue;
        }
        const bool keep = keptSet.count(canon) > 0;
        if (keep && overwrite)
            plan.skipped.push_back(o.string() + ": already in the output folder, which lies inside the input folder: "
                                                "kept, even with --overwrite (an output folder outside the input can be overwritten)");
        if (!outputSet.insert(canon).second) {
            plan.problems.push_back(input + ": output " + o.string() + " is also the output of another input; refused");
            continue;
        }
        plan.items.push_back({input, relative, o.string(), keep});
    }
    return plan;
}

}  // namespace aekit
