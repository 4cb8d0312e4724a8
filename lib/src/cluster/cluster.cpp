// SPDX-License-Identifier: Apache-2.0
// The job's processes over MPI (see aekit/cluster.hpp). Only the main thread calls MPI
// (MPI_THREAD_FUNNELED): oneDNN's OpenMP threads and the batch loaders never do.
#include "aekit/cluster.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "aekit/error.hpp"

namespace aekit {

namespace {

// Set by Open MPI's mpirun, by PMIx launchers (srun --mpi=pmix, prterun) and by PMI-1/2 launchers.
bool startedByLauncher() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
        if (std::getenv(v)) return true;
    return false;
}

void check(int status, const char* what) {
    if (status != MPI_SUCCESS) fail(ErrorKind::Internal, std::string("MPI: ") + what + " failed");
}

// Large buffers go in pieces: MPI counts are ints.
constexpr size_t kMaxCount = size_t(1) << 30;

void sumInPlace(void* data, size_t count, MPI_Datatype type, size_t elementBytes) {
    auto* bytes = static_cast<char*>(data);
    for (size_t i = 0; i < count; i += kMaxCount)
        check(MPI_Allreduce(MPI_IN_PLACE, bytes + i * elementBytes, int(std::min(kMaxCount, count - i)), type, MPI_SUM, MPI_COMM_WORLD),
              "MPI_Allreduce");
}

}  // namespace

Cluster& Cluster::job() {
    static Cluster instance;
    return instance;
}

Cluster::Cluster() {
    if (!startedByLauncher()) return;
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    initialised_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &localSize_);
    MPI_Comm_free(&local);
}

Cluster::~Cluster() {
    int finalized = 0;
    if (initialised_ && MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized) MPI_Finalize();
}

void Cluster::sum(float* data, size_t count) const {
    if (initialised_) sumInPlace(data, count, MPI_FLOAT, sizeof(float));
}
void Cluster::sum(double* data, size_t count) const {
    if (initialised_) sumInPlace(data, count, MPI_DOUBLE, sizeof(double));
}
void Cluster::sum(int64_t* data, size_t count) const {
    if (initialised_) sumInPlace(data, count, MPI_INT64_T, sizeof(int64_t));
}

double Cluster::max(double value) const {
    if (initialised_) check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return value;
}

void Cluster::broadcast(std::vector<uint8_t>& bytes, int root) const {
    if (!initialised_) return;
    uint64_t n = bytes.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
    bytes.resize(size_t(n));
    for (size_t i = 0; i < n; i += kMaxCount)
        check(MPI_Bcast(bytes.data() + i, int(std::min<size_t>(kMaxCount, n - i)), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
}

void Cluster::broadcast(float* data, size_t count, int root) const {
    if (!initialised_) return;
    for (size_t i = 0; i < count; i += kMaxCount)
        check(MPI_Bcast(data + i, int(std::min(kMaxCount, count - i)), MPI_FLOAT, root, MPI_COMM_WORLD), "MPI_Bcast");
}

std::vector<std::string> Cluster::gather(const std::string& text) const {
    if (!initialised_) return {text};
    int n = int(text.size());
    std::vector<int> sizes(static_cast<size_t>(size_)), offsets(static_cast<size_t>(size_));
    check(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
    std::exclusive_scan(sizes.begin(), sizes.end(), offsets.begin(), 0);
    std::string all(leader() ? size_t(offsets.back() + sizes.back()) : 0, '\0');
    check(MPI_Gatherv(text.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD),
          "MPI_Gatherv");
    std::vector<std::string> parts;
    if (leader())
        for (int r = 0; r < size_; ++r) parts.push_back(all.substr(size_t(offsets[size_t(r)]), size_t(sizes[size_t(r)])));
    return parts;
}

void Cluster::barrier() const {
    if (initialised_) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void Cluster::abort(int code) const {
    if (initialised_) MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
}

std::vector<int> balanceByCost(const std::vector<uint64_t>& costs, int ranks) {
    std::vector<size_t> order(costs.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return costs[a] > costs[b]; });
    std::vector<uint64_t> load(size_t(std::max(1, ranks)), 0);
    std::vector<int> owner(costs.size(), 0);
    for (size_t i : order) {
        const size_t r = size_t(std::min_element(load.begin(), load.end()) - load.begin());
        owner[i] = int(r);
        load[r] += costs[i];
    }
    return owner;
}

}  // namespace aekit
