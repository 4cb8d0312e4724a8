// SPDX-License-Identifier: Apache-2.0
// Document or photo (see aekit/page_look.hpp).
#include "aekit/page_look.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

#include "aekit/color.hpp"

namespace aekit {

PageLook lookOfPage(const Image& image) {
    const Image L = lightness(image.channels == 3 ? toGray(image) : image);
    cv::Mat full(L.height, L.width, CV_32F, const_cast<float*>(L.plane(0))), small;
    const double scale = std::min(1.0, 512.0 / std::max(L.width, L.height));
    if (scale < 1)
        cv::resize(full, small, cv::Size(std::max(1, int(L.width * scale)), std::max(1, int(L.height * scale))), 0, 0, cv::INTER_AREA);
    else
        small = full;
    std::vector<float> v(small.begin<float>(), small.end<float>());
    auto mid = v.begin() + std::ptrdiff_t(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    PageLook r;
    r.paperL = *mid;
    cv::Mat paper = cv::abs(small - r.paperL) <= kPaperBand, dark = small < r.paperL - kStrokeBelow, nearPaper;
    // Dark regions that reach the image's edge are the scanner's background or a shadow, not ink.
    cv::Mat labels;
    const int count = cv::connectedComponents(dark, labels, 8, CV_32S);
    std::vector<char> edge(size_t(count), 0);
    for (int y = 0; y < labels.rows; ++y)
        for (int x : {0, labels.cols - 1}) edge[size_t(labels.at<int>(y, x))] = 1;
    for (int x = 0; x < labels.cols; ++x)
        for (int y : {0, labels.rows - 1}) edge[size_t(labels.at<int>(y, x))] = 1;
    for (int y = 0; y < labels.rows; ++y)
        for (int x = 0; x < labels.cols; ++x)
            if (edge[size_t(labels.at<int>(y, x))]) dark.at<uchar>(y, x) = 0;
    cv::dilate(paper, nearPaper, cv::Mat::ones(5, 5, CV_8U));
    const double n = double(small.total()), nDark = cv::countNonZero(dark);
    r.paper = cv::countNonZero(paper) / n;
    r.dark = nDark / n;
    r.strokeEdges = nDark > 0 ? cv::countNonZero(dark & nearPaper) / nDark : 0;
    r.document = r.paperL >= kLightPaper && r.paper >= kMostlyPaper && r.dark >= kSomeInk && r.strokeEdges >= kThinStrokes;
    return r;
}

}  // namespace aekit
