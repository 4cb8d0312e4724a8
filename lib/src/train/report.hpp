// SPDX-License-Identifier: Apache-2.0
// What training shows people: a CSV log, a PNG plot of the loss and validation curves (read back
// from the CSV, so it survives resumes) and a PNG preview grid (input | output | target).
#pragma once
#include <string>
#include <vector>

#include "aekit/image.hpp"

namespace aekit::training {

struct LogRow {
    long long step;
    double loss, lr, patchesPerSecond;
    double val;  // NaN when this row has no validation
    double seconds;
};

// Appends a row, writing the header first when the file is new.
void appendLog(const std::string& csvPath, const LogRow& row);
// Reads the CSV back and draws loss (log scale) and validation curves side by side.
void writePlot(const std::string& csvPath, const std::string& pngPath, const std::string& valLabel);
// rows of {input, output, target}, each an RGB or gray image of one size.
void writePreview(const std::string& pngPath, const std::vector<std::vector<Image>>& rows);

}  // namespace aekit::training
