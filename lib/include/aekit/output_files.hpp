// SPDX-License-Identifier: Apache-2.0
// The files around the images (manifests, score and code CSVs, JSON reports, models, plots): written
// atomically like the images, never over an input, with CSV fields quoted as RFC 4180 says.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace aekit {

// Writes text atomically (temporary file, flush, rename); throws Error(Io) naming the file on any
// failure, a full disk included.
void writeTextFile(const std::string& path, const std::string& text);
void writeBinaryFile(const std::string& path, const std::vector<uint8_t>& bytes);

// Refuses (Error(InvalidArgument), naming the path and the option) an output that is one of the
// inputs (files, or the image files inside input folders), or an image file inside an input folder
// (the next run would read it as an input). inputs: files and folders as the user gave them.
void refuseOutputOverInput(const std::string& output, const std::vector<std::string>& inputs, const std::string& option);

// Refuses a text side file (CSV, JSON) named like an image: a slip that would replace a photo.
void refuseImageNameForText(const std::string& path, const std::string& option);
// Throws Error(InvalidArgument) unless `path` can be written as a file when the work is done: its
// folder exists, and the path is not a folder or anything else than a regular file (a link to a
// terminal, a pipe or a device is refused: the atomic write would replace it). Called before the work.
// folderMayBeCreated: the caller makes a missing folder (train's --out), which must then not be a file.
void refuseUnwritableOutput(const std::string& path, const std::string& option, bool folderMayBeCreated = false);

// Refuses an output folder for images that is an input folder or lies inside one.
void refuseImageFolderInInput(const std::string& folder, const std::vector<std::string>& inputs, const std::string& option);

// One CSV field: quoted, with inner quotes doubled (RFC 4180).
std::string csvField(const std::string& text);
// The fields of one CSV line (quoted or not, RFC 4180; a line break inside quotes is not supported).
std::vector<std::string> parseCsvLine(const std::string& line);

}  // namespace aekit
