// SPDX-License-Identifier: Apache-2.0
// The processes of one job: this process alone, or the ranks an MPI launcher (mpirun, Slurm's srun
// with PMIx) started from the same command line. Data-parallel training sums gradients through it
// and folder jobs split their files through it. A process started without a launcher never
// initialises MPI (no daemon, no network): every collective is then a no-op on one rank.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aekit {

class Cluster {
public:
    // The job this process belongs to; the first call initialises MPI when the environment says a
    // launcher started the process (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE), and finalises it at exit.
    static Cluster& job();

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool leader() const { return rank_ == 0; }  // the rank that writes logs, checkpoints and summaries
    bool distributed() const { return size_ > 1; }
    // Ranks on this machine: the cores are shared among them (each rank's default thread count).
    int localSize() const { return localSize_; }

    // Element-wise sums over every rank, in place (MPI_Allreduce). Collective: every rank calls.
    void sum(float* data, size_t count) const;
    void sum(double* data, size_t count) const;
    void sum(int64_t* data, size_t count) const;
    double max(double value) const;
    // Rank `root`'s bytes to every rank; a non-root rank's vector is resized to them.
    void broadcast(std::vector<uint8_t>& bytes, int root = 0) const;
    void broadcast(float* data, size_t count, int root = 0) const;
    // Every rank's string, in rank order, on the leader (other ranks get an empty vector).
    std::vector<std::string> gather(const std::string& text) const;
    void barrier() const;
    // Ends every rank of the job with this exit code (MPI_Abort); a single process just exits.
    [[noreturn]] void abort(int code) const;

    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;
    ~Cluster();

private:
    Cluster();
    int rank_ = 0, size_ = 1, localSize_ = 1;
    bool initialised_ = false;  // MPI_Init was called (and MPI_Finalize is due)
};

// Splits items of the given costs (e.g. pixels) among `ranks` so that each rank's total is balanced
// (longest first, each to the least-loaded rank; ties to the lower rank): deterministic, so every
// rank computes the same plan. Returns, for each item, its rank.
std::vector<int> balanceByCost(const std::vector<uint64_t>& costs, int ranks);

}  // namespace aekit
