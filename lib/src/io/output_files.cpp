// SPDX-License-Identifier: Apache-2.0
// Side files: atomic text writes, the never-over-an-input rule for any output path, CSV quoting
// (see aekit/output_files.hpp).
#include "aekit/output_files.hpp"

#include <filesystem>

#include "aekit/error.hpp"
#include "aekit/image.hpp"
#include "io/atomic_file.hpp"

namespace aekit {

namespace fs = std::filesystem;

void writeTextFile(const std::string& path, const std::string& text) {
    io::writeFileAtomically(path, text.data(), text.size());
}

void writeBinaryFile(const std::string& path, const std::vector<uint8_t>& bytes) {
    io::writeFileAtomically(path, bytes.data(), bytes.size());
}

namespace {

fs::path resolved(const std::string& p) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(p, ec);
    return ec ? fs::absolute(p).lexically_normal() : c;
}

bool inside(const fs::path& path, const fs::path& folder) {
    const auto rel = path.lexically_relative(folder);
    return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

void refuseOutputOverInput(const std::string& output, const std::vector<std::string>& inputs, const std::string& option) {
    const fs::path out = resolved(output);
    for (const auto& in : inputs) {
        std::error_code ec;
        const fs::path input = resolved(in);
        const bool same = out == input || (fs::exists(output, ec) && fs::equivalent(output, in, ec));
        if (same) fail(ErrorKind::InvalidArgument, output + ": " + option + " would overwrite the input " + in + "; refused");
        if (fs::is_directory(input, ec) && inside(out, input)) {
            if (fs::exists(output, ec) && isImagePath(output))
                fail(ErrorKind::InvalidArgument, output + ": " + option + " would overwrite an input image in " + in + "; refused");
            if (isImagePath(output))
                fail(ErrorKind::InvalidArgument, output + ": " + option + " would put an image into the input folder " + in +
                                                     ", where the next run would read it as an input; refused");
        }
    }
}

void refuseUnwritableOutput(const std::string& path, const std::string& option, bool folderMayBeCreated) {
    std::error_code ec;
    const fs::path p(path);
    const fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    if (folderMayBeCreated && fs::exists(parent, ec) && !fs::is_directory(parent, ec))
        fail(ErrorKind::InvalidArgument, path + ": " + option + ": " + parent.string() + " is a file, not a folder");
    if (!folderMayBeCreated && !fs::is_directory(parent, ec))
        fail(ErrorKind::InvalidArgument, path + ": " + option + ": no such folder " + parent.string() + " (create it first)");
    const auto status = fs::status(p, ec);
    if (fs::is_directory(status)) fail(ErrorKind::InvalidArgument, path + ": " + option + " names a folder; name a file");
    if (fs::exists(status) && !fs::is_regular_file(status))
        fail(ErrorKind::InvalidArgument, path + ": " + option + " is not a regular file (a device, pipe or link to one); refused");
    if (!fs::exists(status) && fs::is_symlink(fs::symlink_status(p, ec)))
        fail(ErrorKind::InvalidArgument, path + ": " + option + " is a link to nothing; refused");
}

void refuseImageNameForText(const std::string& path, const std::string& option) {
    if (isImagePath(path))
        fail(ErrorKind::InvalidArgument, path + ": " + option + " writes text (CSV or JSON), not an image; refused (name it .csv or .json)");
}

void refuseImageFolderInInput(const std::string& folder, const std::vector<std::string>& inputs, const std::string& option) {
    const fs::path out = resolved(folder);
    for (const auto& in : inputs) {
        std::error_code ec;
        const fs::path input = resolved(in);
        if (fs::is_directory(input, ec) && (out == input || inside(out, input)))
            fail(ErrorKind::InvalidArgument, folder + ": " + option + " would write images into the input folder " + in +
                                                 " (over its images, or where the next run reads them); refused");
    }
}

std::string csvField(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::vector<std::string> parseCsvLine(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
            else if (c == '"') quoted = false;
            else fields.back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

}  // namespace aekit
