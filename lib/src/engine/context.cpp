// SPDX-License-Identifier: Apache-2.0
// oneDNN engine, reorders and step replay.
#include "engine/context.hpp"

#include <sstream>

#include "aekit/error.hpp"

namespace aekit::engine {

dnnl::engine& cpuEngine() {
    static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    return eng;
}

bool hasAvx512() {
    const auto isa = dnnl::get_effective_cpu_isa();
    return isa == dnnl::cpu_isa::avx512_core || isa == dnnl::cpu_isa::avx512_core_vnni ||
           isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

memory::format_tag blockedLayout() { return hasAvx512() ? memory::format_tag::nChw16c : memory::format_tag::nChw8c; }
int channelBlock() { return hasAvx512() ? 16 : 8; }

void appendReorder(std::vector<Step>& steps, const memory& src, const memory& dst) {
    steps.push_back({dnnl::reorder(src, dst), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}}});
}

void run(dnnl::stream& strm, const std::vector<Step>& steps) {
    for (const auto& s : steps) {
        if (s.cArgs.size() != s.args.size()) {
            s.cArgs.clear();
            for (const auto& [arg, mem] : s.args) s.cArgs.push_back({arg, mem.get()});
        }
        const dnnl_status_t status =
            dnnl_primitive_execute(s.prim.get(), strm.get(), static_cast<int>(s.cArgs.size()), s.cArgs.data());
        if (status != dnnl_success)
            fail(ErrorKind::Engine, "oneDNN could not run a primitive (" + implementation(s) + "): status " +
                                        std::to_string(int(status)));
    }
    strm.wait();
}

memory layoutFor(std::vector<Step>& steps, const memory& plain, const memory::desc& wanted, bool toPlain) {
    if (plain.get_desc() == wanted) return plain;
    memory other(wanted, plain.get_engine());
    if (toPlain)
        appendReorder(steps, other, plain);
    else
        appendReorder(steps, plain, other);
    return other;
}

std::string describe(const memory::desc& md) {
    std::ostringstream os;
    auto d = md.dims();
    for (size_t i = 0; i < d.size(); ++i) os << (i ? "x" : "") << d[i];
    return os.str();
}

size_t scratchpadBytes(const Step& step) {
    const dnnl_memory_desc_t* md = dnnl_primitive_desc_query_md(step.prim.get_primitive_desc(), dnnl_query_scratchpad_md, 0);
    return md ? dnnl_memory_desc_get_size(md) : 0;
}

std::string implementation(const Step& step) {
    const char* info = nullptr;
    if (dnnl_primitive_desc_query(step.prim.get_primitive_desc(), dnnl_query_impl_info_str, 0, &info) != dnnl_success ||
        !info)
        return "?";
    return info;
}

}  // namespace aekit::engine
