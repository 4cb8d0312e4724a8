// SPDX-License-Identifier: Apache-2.0
// Jobs of ranks under mpirun (2 ranks on one machine, oversubscribed): data-parallel training gives
// the weights of one process with the same global batch, resumes, and loses no checkpoint when a
// rank dies; folder jobs split the files and report once. Also the split itself, without MPI.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>

#include "aekit/cluster.hpp"
#include "aekit/model.hpp"
#include "support/cli_runner.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using testutil::runAekit;
using testutil::runCommand;

namespace {

// Open MPI refuses root unless told; CI runs as root. Under the sanitizer run the ranks unwind
// allocations fully, so that tests/sanitizer/lsan-openmpi.supp can tell Open MPI's own
// allocations (kept until exit) from aekit's.
std::string mpirun(int ranks, const std::string& args) {
    std::string env = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
    if (const char* asan = std::getenv("ASAN_OPTIONS")) env += "ASAN_OPTIONS='" + std::string(asan) + ":fast_unwind_on_malloc=0' ";
    return env + AEKIT_MPIEXEC + " --oversubscribe -np " + std::to_string(ranks) + " " + AEKIT_BINARY + " " + args;
}

double maxWeightDifference(const std::string& a, const std::string& b) {
    const aekit::Model ma = aekit::Model::load(a), mb = aekit::Model::load(b);
    REQUIRE(ma.weights.size() == mb.weights.size());
    double d = 0;
    for (const auto& [name, t] : ma.weights) {
        const auto& u = mb.weights.at(name).data;
        REQUIRE(u.size() == t.data.size());
        for (size_t i = 0; i < u.size(); ++i) d = std::max(d, double(std::fabs(u[i] - t.data[i])));
    }
    return d;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("balanceByCost: every item to one rank, the largest first to the least-loaded rank") {
    const std::vector<uint64_t> costs{3, 5, 1, 3, 4, 2};
    const std::vector<int> owner = aekit::balanceByCost(costs, 2);
    REQUIRE(owner.size() == costs.size());
    uint64_t load[2] = {0, 0};
    for (size_t i = 0; i < costs.size(); ++i) {
        REQUIRE((owner[i] == 0 || owner[i] == 1));
        load[owner[i]] += costs[i];
    }
    CHECK(load[0] == 9);  // 5 + 3 + 1 against 4 + 3 + 2: by count or in order it would not balance
    CHECK(load[1] == 9);
    CHECK(owner == std::vector<int>{1, 0, 0, 0, 1, 1});  // 5 and the second 3 and 1 on rank 0
    // One rank takes everything; more ranks than items leave some idle.
    CHECK(aekit::balanceByCost(costs, 1) == std::vector<int>(costs.size(), 0));
    CHECK(aekit::balanceByCost({7, 7}, 4) == std::vector<int>{0, 1});
    CHECK(aekit::balanceByCost({}, 3).empty());
}

TEST_CASE("without a launcher the job is this process alone, and its collectives change nothing") {
    const aekit::Cluster& c = aekit::Cluster::job();
    CHECK(c.size() == 1);
    CHECK(c.rank() == 0);
    CHECK_FALSE(c.distributed());
    float v[2] = {1.5f, -2.f};
    c.sum(v, 2);
    CHECK(v[0] == 1.5f);
    CHECK(c.gather("x") == std::vector<std::string>{"x"});
}

TEST_CASE("mpirun -np 2 train: the weights of one process with the same global batch; resume; a dead rank") {
    testutil::TempDir dir;
    testutil::makeImages(dir / "data", 6, 56, 48, 3, 40);
    testutil::makeImages(dir / "val", 2, 48, 48, 3, 90);
    const std::string common = "train --task denoise --data " + (dir / "data") + " --val " + (dir / "val") +
                               " --steps 6 --patch 32 --channels 8,12 --code 8 --val-every 100 --seed 3 --lr 1e-3"
                               " --loader-threads 1 --checkpoint-minutes 0.0001";
    // (Its model goes into a folder that does not exist yet: training makes it before the first step.)
    const auto one = runAekit(common + " --batch 16 --threads 1 --out " + (dir / "new/one.safetensors"));
    REQUIRE_MESSAGE(one.code == 0, one.output);
    const auto two = runCommand(mpirun(2, common + " --batch 16 --out " + (dir / "two.safetensors")));
    REQUIRE_MESSAGE(two.code == 0, two.output);
    CHECK(count(two.output, "done: 6 steps") == 1);  // the leader reports, once
    CHECK(two.output.find("ranks: 2 x 1 threads, batch 8 per rank") != std::string::npos);
    // Each step moves a weight by about lr (Adam's update is near lr x sign(gradient)). Two ranks sum
    // the same per-patch gradients in another order, which perturbs a gradient by float rounding
    // (~1e-7 relative), so after 6 steps the weights agree to a small fraction of one step: 1e-5 is
    // 1% of lr. Different batches (the control below) differ at the scale of lr itself.
    const double same = maxWeightDifference(dir / "new/one.safetensors", dir / "two.safetensors");
    MESSAGE("2 ranks x 8 against 1 x 16: max weight difference " << same);
    CHECK(same < 1e-5);
    const auto other = runAekit(common + " --batch 8 --threads 1 --out " + (dir / "other.safetensors"));
    REQUIRE_MESSAGE(other.code == 0, other.output);
    const double control = maxWeightDifference(dir / "new/one.safetensors", dir / "other.safetensors");
    MESSAGE("1 x 8 against 1 x 16 (another batch): " << control);
    CHECK(control > 1e-4);

    SUBCASE("an interrupted job resumes to the same weights") {
        const auto first = runCommand(mpirun(2, common + " --batch 16 --stop-after 3 --out " + (dir / "resumed.safetensors")));
        REQUIRE(first.code == 130);
        CHECK(count(first.output, "interrupted at step 3") == 1);
        const auto rest = runCommand(mpirun(2, common + " --batch 16 --resume --out " + (dir / "resumed.safetensors")));
        REQUIRE_MESSAGE(rest.code == 0, rest.output);
        CHECK(maxWeightDifference(dir / "two.safetensors", dir / "resumed.safetensors") < 1e-5);
    }
    SUBCASE("a rank that dies ends the job non-zero and leaves the last checkpoint intact") {
        const std::string out = dir / "dies.safetensors";
        const auto died = runCommand(mpirun(2, common + " --batch 16 --rank-exit-at 4 --out " + out));
        CHECK(died.code != 0);
        MESSAGE(died.output);
        CHECK(died.output.find("exit") != std::string::npos);
        REQUIRE(fs::exists(out + ".ckpt"));
        CHECK_FALSE(fs::exists(out));  // no model from a job that failed
        // The checkpoint (written after every step here: --checkpoint-minutes 0.0001) is whole: the job resumes from it to the end.
        const auto rest = runCommand(mpirun(2, common + " --batch 16 --resume --out " + out));
        REQUIRE_MESSAGE(rest.code == 0, rest.output);
        CHECK(rest.output.find("resumed") != std::string::npos);
        CHECK(maxWeightDifference(dir / "two.safetensors", out) < 1e-5);
    }
    SUBCASE("the global batch must split evenly") {
        const auto odd = runCommand(mpirun(2, common + " --batch 7 --out " + (dir / "odd.safetensors")));
        CHECK(odd.code != 0);
        CHECK(odd.output.find("--batch 7 is the global batch: it must be a multiple of the 2 ranks") != std::string::npos);
    }
}

TEST_CASE("mpirun -np 2 corrupt and denoise: every file once, one summary, one exit code; a rerun skips") {
    testutil::TempDir dir;
    // Sizes that do not split evenly by count: the split goes by pixels.
    const int sizes[][2] = {{96, 80}, {40, 40}, {64, 48}, {32, 32}, {72, 56}};
    fs::create_directories(dir / "in");
    for (int i = 0; i < 5; ++i)
        aekit::writeImage(dir / ("in/p" + std::to_string(i) + ".png"),
                          testutil::syntheticImage(sizes[i][0], sizes[i][1], 3, uint64_t(7 + i)));
    const auto single = runAekit("corrupt " + (dir / "in") + " -o " + (dir / "one") + " --noise gaussian:20 --seed 4");
    REQUIRE_MESSAGE(single.code == 0, single.output);
    const auto job = runCommand(mpirun(2, "corrupt " + (dir / "in") + " -o " + (dir / "two") + " --noise gaussian:20 --seed 4"));
    REQUIRE_MESSAGE(job.code == 0, job.output);
    CHECK(count(job.output, "corrupt: 5 written, 0 skipped, 0 failed") == 1);
    for (int i = 0; i < 5; ++i) {
        const std::string name = "/p" + std::to_string(i) + ".png";
        CHECK(testutil::bytesOf(dir / ("two" + name)) == testutil::bytesOf(dir / ("one" + name)));
    }
    // The manifest lists every rank's files.
    CHECK(count(testutil::bytesOf(dir / "two/manifest.csv"), ".png") == 5);
    const auto again = runCommand(mpirun(2, "corrupt " + (dir / "in") + " -o " + (dir / "two") + " --noise gaussian:20 --seed 4"));
    CHECK(again.code == 0);
    CHECK(count(again.output, "corrupt: 0 written, 5 skipped, 0 failed") == 1);

    // A bad file fails alone, reported once, and the whole job exits 1.
    testutil::writeBytes(dir / "in/broken.png", "not a png");
    const auto bad = runCommand(mpirun(2, "denoise " + (dir / "in") + " -o " + (dir / "den") + " --model color"));
    CHECK(bad.code == 1);
    CHECK(count(bad.output, "broken.png") == 1);
    CHECK(count(bad.output, "denoise: 5 written, 0 skipped, 1 failed") == 1);
    for (int i = 0; i < 5; ++i) CHECK(fs::exists(dir / ("den/p" + std::to_string(i) + ".png")));
}

TEST_CASE("a command that runs as one process is refused under mpirun with one clear line per rank") {
    testutil::TempDir dir;
    const auto r = runCommand(mpirun(2, "info color"));
    CHECK(r.code != 0);
    CHECK(count(r.output, "aekit info runs as one process, not under mpirun") == 2);
}
