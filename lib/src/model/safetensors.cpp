// SPDX-License-Identifier: Apache-2.0
// safetensors reader and writer: 8-byte little-endian header length, JSON header, raw tensors.
// Only F32 tensors (what aekit writes); every offset is checked against the buffer.
#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <algorithm>
#include <cstring>
#include <limits>

#include "aekit/error.hpp"
#include "aekit/model.hpp"
#include "io/atomic_file.hpp"

namespace aekit {

static_assert(std::endian::native == std::endian::little, "safetensors is little-endian; aekit assumes the host is");

namespace {
constexpr uint64_t kMaxHeaderBytes = 100u << 20;  // safetensors' own limit
constexpr size_t kMaxDims = 8;

constexpr int kMaxHeaderDepth = 3;            // header { tensor { shape [ ] } }
constexpr size_t kMaxHeaderElements = 200000;  // values and containers (a model has a few hundred)

[[noreturn]] void bad(const std::string& name, const std::string& what) { fail(ErrorKind::BadFile, name + ": " + what); }

// A safetensors header is shallow and small; a hostile one (deep nesting, millions of empty objects)
// would cost gigabytes and seconds in the JSON parser, so its shape is checked on the bytes first.
void checkHeaderShape(const uint8_t* text, uint64_t size, const std::string& name) {
    int depth = 0;
    size_t elements = 0;
    bool inString = false;
    for (uint64_t i = 0; i < size; ++i) {
        const uint8_t c = text[i];
        if (inString) {
            if (c == '\\') ++i;
            else if (c == '"') inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
            ++elements;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxHeaderDepth) bad(name, "header nests deeper than a safetensors header does; refused");
            ++elements;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',') {
            ++elements;
        }
        if (elements > kMaxHeaderElements)
            bad(name, "header has over " + std::to_string(kMaxHeaderElements) + " JSON elements; refused");
    }
}

}  // namespace

SafetensorsContent parseSafetensors(const uint8_t* data, size_t size, const std::string& name) {
    if (size < 8) bad(name, "too short for a safetensors file (" + std::to_string(size) + " bytes)");
    uint64_t headerLen = 0;
    std::memcpy(&headerLen, data, 8);
    if (headerLen > kMaxHeaderBytes) bad(name, "header length " + std::to_string(headerLen) + " is over the 100 MB limit");
    if (headerLen > size - 8) bad(name, "header length " + std::to_string(headerLen) + " runs past the end of the file (truncated?)");
    const uint8_t* body = data + 8 + headerLen;
    const uint64_t bodySize = size - 8 - headerLen;

    checkHeaderShape(data + 8, headerLen, name);
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(data + 8, data + 8 + headerLen);
    } catch (const nlohmann::json::exception& e) {
        bad(name, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object()) bad(name, "header is not a JSON object");

    SafetensorsContent out;
    struct Range {
        uint64_t begin, end;
        std::string key;
        std::vector<int64_t> shape;
    };
    std::vector<Range> ranges;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& key = it.key();
        const auto& v = it.value();
        if (key == "__metadata__") {
            if (!v.is_object()) bad(name, "__metadata__ is not an object");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string()) bad(name, "metadata '" + m.key() + "' is not a string");
                out.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (!v.is_object()) bad(name, "tensor '" + key + "' is not described by an object");
        const auto dt = v.find("dtype");
        const auto shape = v.find("shape");
        const auto offsets = v.find("data_offsets");
        if (dt == v.end() || shape == v.end() || offsets == v.end())
            bad(name, "tensor '" + key + "' lacks dtype, shape or data_offsets");
        if (!dt->is_string()) bad(name, "tensor '" + key + "' has a non-string dtype");
        if (dt->get<std::string>() != "F32")
            fail(ErrorKind::Unsupported, name + ": tensor '" + key + "' has dtype " + dt->get<std::string>() +
                                             "; aekit reads F32 tensors only");
        if (!shape->is_array() || shape->size() > kMaxDims) bad(name, "tensor '" + key + "' has a malformed shape");
        HostTensor t;
        uint64_t count = 1;
        for (const auto& d : *shape) {
            if (!d.is_number_unsigned()) bad(name, "tensor '" + key + "' has a negative or non-integer dimension");
            const uint64_t dim = d.get<uint64_t>();
            if (dim != 0 && count > std::numeric_limits<uint64_t>::max() / 4 / dim)
                bad(name, "tensor '" + key + "' is impossibly large");
            count *= dim;
            t.shape.push_back(static_cast<int64_t>(dim));
        }
        if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
            !(*offsets)[1].is_number_unsigned())
            bad(name, "tensor '" + key + "' has malformed data_offsets");
        const uint64_t begin = (*offsets)[0].get<uint64_t>(), end = (*offsets)[1].get<uint64_t>();
        if (begin > end || end > bodySize)
            bad(name, "tensor '" + key + "' data [" + std::to_string(begin) + ", " + std::to_string(end) +
                          ") lies outside the file's " + std::to_string(bodySize) + " data bytes (truncated?)");
        if (end - begin != count * 4)
            bad(name, "tensor '" + key + "' holds " + std::to_string(end - begin) + " bytes; its shape needs " +
                          std::to_string(count * 4));
        ranges.push_back({begin, end, key, std::move(t.shape)});
    }
    // The safetensors rule: the tensors' bytes do not overlap and cover the data exactly, so that a
    // header cannot make a small file count (and allocate) its bytes many times over.
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
    uint64_t next = 0;
    for (const auto& r : ranges) {
        if (r.begin < next) bad(name, "tensor '" + r.key + "' data [" + std::to_string(r.begin) + ", " + std::to_string(r.end) +
                                          ") overlaps another tensor's");
        if (r.begin > next)
            bad(name, "data bytes [" + std::to_string(next) + ", " + std::to_string(r.begin) + ") belong to no tensor");
        next = r.end;
    }
    if (next != bodySize)
        bad(name, "data bytes [" + std::to_string(next) + ", " + std::to_string(bodySize) + ") belong to no tensor");
    for (auto& r : ranges) {
        HostTensor t;
        t.shape = std::move(r.shape);
        t.data.resize((r.end - r.begin) / 4);
        if (!t.data.empty()) std::memcpy(t.data.data(), body + r.begin, r.end - r.begin);
        out.tensors.emplace(r.key, std::move(t));
    }
    return out;
}

SafetensorsContent readSafetensors(const std::string& path, uint64_t maxBytes) {
    const auto bytes = io::readFile(path, maxBytes);
    return parseSafetensors(bytes.data(), bytes.size(), path);
}

void writeSafetensors(const std::string& path, const SafetensorsContent& content) {
    nlohmann::json header = nlohmann::json::object();
    if (!content.metadata.empty()) header["__metadata__"] = content.metadata;
    uint64_t offset = 0;
    for (const auto& [name, t] : content.tensors) {
        const uint64_t bytes = static_cast<uint64_t>(t.data.size()) * 4;
        if (static_cast<int64_t>(t.data.size()) != t.size())
            fail(ErrorKind::Internal, path + ": tensor '" + name + "' data does not match its shape");
        header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // align the data to 8 bytes, as the reference writer does
    std::vector<uint8_t> buf(8 + text.size() + offset);
    const uint64_t len = text.size();
    std::memcpy(buf.data(), &len, 8);
    std::memcpy(buf.data() + 8, text.data(), text.size());
    uint8_t* p = buf.data() + 8 + text.size();
    for (const auto& [name, t] : content.tensors) {
        std::memcpy(p, t.data.data(), t.data.size() * 4);
        p += t.data.size() * 4;
    }
    io::writeFileAtomically(path, buf.data(), buf.size());
}

}  // namespace aekit
