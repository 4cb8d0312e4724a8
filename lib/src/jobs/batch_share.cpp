// SPDX-License-Identifier: Apache-2.0
// Folder jobs across ranks (see aekit/batch.hpp): the split by pixels and the merged report.
#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "aekit/batch.hpp"
#include "aekit/cluster.hpp"
#include "aekit/image.hpp"

namespace aekit {

namespace fs = std::filesystem;

BatchPlan rankShare(const BatchPlan& plan, bool overwrite, const Cluster& cluster) {
    if (!cluster.distributed()) return plan;
    std::vector<uint64_t> costs;
    for (const auto& item : plan.items) {
        std::error_code ec;
        uint64_t cost = 0;
        if (item.input == "-") {
            cost = 1;  // standard input: the leader's (mpirun forwards it to rank 0)
        } else if (overwrite || item.output == "-" || !fs::exists(item.output, ec)) {
            cost = declaredPixels(item.input);
            if (cost == 0) cost = std::max<uint64_t>(1, uint64_t(fs::file_size(item.input, ec)));
        }
        costs.push_back(cost);
    }
    const std::vector<int> owner = balanceByCost(costs, cluster.size());
    BatchPlan mine;
    mine.skipped = plan.skipped;
    mine.problems = plan.problems;
    for (size_t i = 0; i < plan.items.size(); ++i)
        if (owner[i] == cluster.rank()) mine.items.push_back(plan.items[i]);
    return mine;
}

BatchReport gatherReports(const BatchReport& mine, const Cluster& cluster) {
    if (!cluster.distributed()) return mine;
    const nlohmann::json j{{"done", mine.done}, {"skipped", mine.skipped}, {"failures", mine.failures}, {"interrupted", mine.interrupted}};
    const std::vector<std::string> all = cluster.gather(j.dump());
    if (!cluster.leader()) return mine;
    BatchReport merged;
    for (const auto& text : all) {
        const auto r = nlohmann::json::parse(text);
        merged.done += r.at("done").get<size_t>();
        for (const auto& s : r.at("skipped")) merged.skipped.push_back(s.get<std::string>());
        for (const auto& s : r.at("failures")) merged.failures.push_back(s.get<std::string>());
        merged.interrupted = merged.interrupted || r.at("interrupted").get<bool>();
    }
    return merged;
}

}  // namespace aekit
