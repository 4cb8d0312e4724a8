// SPDX-License-Identifier: Apache-2.0
// Noise models (see aekit/noise.hpp). Sequential draws from one seeded generator per image, so
// bytes never depend on threads.
#include "aekit/noise.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>

#include "aekit/error.hpp"
#include "aekit/random.hpp"
#include "noise/camera_noise.hpp"

namespace aekit {

const char* NoiseSpec::grammar() {
    return "noise spec grammar: CHOICE[|CHOICE...], one drawn per image, each [W*]MODEL[+MODEL...] or [W*]none, "
           "with MODEL one of gaussian:S (sigma 0-255), gaussian:A-B (sigma drawn per image), poisson:PEAK, "
           "saltpepper:P (0-1), speckle:S (0-1), jpeg:Q (1-100), mask:P (0-1), camera:ISO or camera:LO-HI (ISO "
           "50-25600); e.g. gaussian:25, gaussian:0-55, gaussian:10+jpeg:40, 6*camera:100-12800|3*gaussian:0-55|none";
}

NoiseSpec NoiseSpec::parse(const std::string& text) {
    NoiseSpec spec;
    spec.text = text;
    auto bad = [&](const std::string& why) {
        fail(ErrorKind::InvalidArgument, "bad noise spec '" + text + "': " + why + ". " + grammar());
    };
    auto number = [&](const std::string& s, double lo, double hi) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(s, &used);
        } catch (...) {
            bad("'" + s + "' is not a number");
        }
        if (used != s.size() || !std::isfinite(v)) bad("'" + s + "' is not a number");
        if (v < lo || v > hi) bad("'" + s + "' is outside " + std::to_string(lo) + ".." + std::to_string(hi));
        return v;
    };
    auto range = [&](const std::string& arg, double lo, double hi, NoiseModel& m) {
        const size_t dash = arg.find('-', 1);
        if (dash == std::string::npos) {
            m.a = m.b = number(arg, lo, hi);
        } else {
            m.a = number(arg.substr(0, dash), lo, hi);
            m.b = number(arg.substr(dash + 1), lo, hi);
            if (m.b < m.a) bad("the range " + arg + " is reversed");
        }
    };
    // One model: NAME:ARG.
    auto model = [&](const std::string& part) {
        const size_t colon = part.find(':');
        if (colon == std::string::npos) bad("'" + part + "' has no ':PARAMETER'");
        const std::string name = part.substr(0, colon), arg = part.substr(colon + 1);
        NoiseModel m{};
        if (name == "gaussian") {
            m.kind = NoiseModel::Kind::Gaussian;
            range(arg, 0, 255, m);
        } else if (name == "camera") {
            m.kind = NoiseModel::Kind::Camera;
            range(arg, 50, 25600, m);
        } else if (name == "poisson") {
            m.kind = NoiseModel::Kind::Poisson;
            m.a = number(arg, 1e-3, 1e7);
        } else if (name == "saltpepper") {
            m.kind = NoiseModel::Kind::SaltPepper;
            m.a = number(arg, 0, 1);
        } else if (name == "speckle") {
            m.kind = NoiseModel::Kind::Speckle;
            m.a = number(arg, 0, 10);
        } else if (name == "jpeg") {
            m.kind = NoiseModel::Kind::Jpeg;
            m.a = number(arg, 1, 100);
            if (m.a != std::floor(m.a)) bad("JPEG quality must be an integer");
        } else if (name == "mask") {
            m.kind = NoiseModel::Kind::Mask;
            m.a = number(arg, 0, 1);
        } else {
            bad("unknown model '" + name + "'");
        }
        return m;
    };
    // Splits s at sep; an empty piece (leading, trailing or doubled separator) is an error.
    auto split = [&](const std::string& s, char sep) {
        std::vector<std::string> parts;
        size_t start = 0;
        for (;;) {
            const size_t end = std::min(s.find(sep, start), s.size());
            if (end == start) bad(std::string("an empty part around '") + sep + "'");
            parts.push_back(s.substr(start, end - start));
            if (end == s.size()) return parts;
            start = end + 1;
            if (start == s.size()) bad(std::string("it ends with '") + sep + "'");
        }
    };
    if (text.empty()) bad("it is empty");
    for (std::string choice : split(text, '|')) {
        NoiseChain chain;
        const size_t star = choice.find('*');
        if (star != std::string::npos) {
            chain.weight = number(choice.substr(0, star), 1e-6, 1e6);
            choice = choice.substr(star + 1);
            if (choice.empty()) bad("a weight with nothing after '*'");
        }
        if (choice != "none")
            for (const auto& part : split(choice, '+')) chain.models.push_back(model(part));
        spec.choices.push_back(chain);
    }
    return spec;
}

double NoiseSpec::maxSigma() const {
    double s = 0;
    for (const auto& chain : choices)
        for (const auto& m : chain.models)
            if (m.kind == NoiseModel::Kind::Gaussian) s = std::max(s, m.b);
    return s;
}

uint64_t itemSeed(uint64_t seed, const std::string& key) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a of the key
    for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (h | 1);  // splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double applyNoise(const NoiseSpec& spec, Image& image, uint64_t seed) {
    Random rng(seed);
    const int64_t P = image.planeSize();
    double sigmaUsed = 0;
    if (spec.choices.empty()) return 0;
    size_t choice = 0;
    if (spec.choices.size() > 1) {  // only then a draw, so single-choice specs keep their bytes
        double total = 0;
        for (const auto& c : spec.choices) total += c.weight;
        double u = rng.uniform() * total;
        while (choice + 1 < spec.choices.size() && u >= spec.choices[choice].weight) u -= spec.choices[choice++].weight;
    }
    for (const NoiseModel& m : spec.choices[choice].models) {
        switch (m.kind) {
            case NoiseModel::Kind::Gaussian: {
                const double sigma = m.a == m.b ? m.a : m.a + (m.b - m.a) * rng.uniform();
                sigmaUsed = sigma;
                const double s = sigma / 255.0;
                for (float& v : image.pixels) v = static_cast<float>(v + s * rng.normal());
                break;
            }
            case NoiseModel::Kind::Poisson:
                for (float& v : image.pixels) {
                    const double lambda = std::max(0.0, double(v)) * m.a;
                    v = static_cast<float>(lambda > 0 ? double(rng.poisson(lambda)) / m.a : 0.0);
                }
                break;
            case NoiseModel::Kind::SaltPepper:
                // Whole pixels (all channels) become black or white.
                for (int64_t i = 0; i < P; ++i) {
                    if (rng.uniform() >= m.a) continue;
                    const float v = rng.uniform() < 0.5 ? 0.f : 1.f;
                    for (int c = 0; c < image.channels; ++c) image.plane(c)[i] = v;
                }
                break;
            case NoiseModel::Kind::Speckle:
                for (float& v : image.pixels) v = static_cast<float>(v * (1 + m.a * rng.normal()));
                break;
            case NoiseModel::Kind::Mask:
                for (int64_t i = 0; i < P; ++i) {
                    if (rng.uniform() >= m.a) continue;
                    for (int c = 0; c < image.channels; ++c) image.plane(c)[i] = 0.f;
                }
                break;
            case NoiseModel::Kind::Camera:
                camera::applyCamera(image, camera::draw(m.a, m.b, rng), rng);
                break;
            case NoiseModel::Kind::Jpeg: {
                std::vector<cv::Mat> planes;
                const int order3[3] = {2, 1, 0};
                for (int k = 0; k < image.channels; ++k) {
                    cv::Mat f(image.height, image.width, CV_32F, image.plane(image.channels == 3 ? order3[k] : 0));
                    cv::Mat q;
                    f.convertTo(q, CV_8U, 255.0);  // saturating, rounding
                    planes.push_back(q);
                }
                cv::Mat merged, decoded;
                cv::merge(planes, merged);
                std::vector<uint8_t> buf;
                cv::imencode(".jpg", merged, buf, {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(m.a)});
                decoded = cv::imdecode(buf, image.channels == 3 ? cv::IMREAD_COLOR : cv::IMREAD_GRAYSCALE);
                std::vector<cv::Mat> out;
                cv::split(decoded, out);
                for (int k = 0; k < image.channels; ++k) {
                    cv::Mat f;
                    out[k].convertTo(f, CV_32F, 1.0 / 255.0);
                    std::copy(f.ptr<float>(), f.ptr<float>() + P, image.plane(image.channels == 3 ? order3[k] : 0));
                }
                break;
            }
        }
    }
    return sigmaUsed;
}

}  // namespace aekit
