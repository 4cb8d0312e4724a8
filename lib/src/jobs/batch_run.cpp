// SPDX-License-Identifier: Apache-2.0
// Running a batch plan: item by item, or in three overlapped stages (see aekit/batch.hpp).
#include <pthread.h>
#include <sched.h>

#include <filesystem>
#include <future>
#include <memory>

#include "aekit/batch.hpp"
#include "aekit/error.hpp"
#include "aekit/image.hpp"

namespace aekit {

namespace fs = std::filesystem;

namespace {

void createOutputFolder(const BatchItem& item) {
    const fs::path parent = fs::path(item.output).parent_path();
    if (parent.empty()) return;
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) fail(ErrorKind::Io, parent.string() + ": cannot create folder: " + ec.message());
}

bool skips(const BatchItem& item, bool overwrite) {
    std::error_code ec;
    return (!overwrite || item.keep) && fs::exists(item.output, ec);
}

// One line naming the input and what went wrong.
std::string failureLine(const BatchItem& item, const std::exception_ptr& error);

ErrorKind failureKind(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return e.kind();
    } catch (...) {
        return ErrorKind::Internal;
    }
}

void addFailure(BatchReport& report, const BatchItem& item, const std::exception_ptr& error) {
    report.failures.push_back(failureLine(item, error));
    report.failureKinds.push_back(failureKind(error));
}

std::string failureLine(const BatchItem& item, const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        const std::string what = e.what();
        return what.find(item.input) == std::string::npos ? item.input + ": " + what : what;
    } catch (const std::bad_alloc&) {
        return item.input + ": out of memory (try a smaller --max-memory or --tile)";
    } catch (const std::exception& e) {
        return item.input + ": " + e.what();
    } catch (...) {
        return item.input + ": failed";
    }
}


// Reading and writing yield to the network: on a machine whose cores the network's threads fill,
// they run only where a core would otherwise idle (the network's serial parts, between images),
// rather than taking a core from a team of threads that wait for each other.
void yieldToCompute() {
#ifdef SCHED_IDLE
    const sched_param idle{};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
#endif
}

// One item on its way through the stages: its image, or why it failed, or that its output exists.
struct Passage {
    Image image;
    std::exception_ptr error;
    bool skipped = false;
};

}  // namespace

BatchReport runBatch(const BatchPlan& plan, bool overwrite, const std::function<void(const BatchItem&)>& process,
                     const std::function<void(size_t done, size_t failed)>& progress, const std::atomic<bool>* stop) {
    BatchReport report;
    size_t handled = 0;
    for (const auto& item : plan.items) {
        if (stop && stop->load()) {
            report.interrupted = true;
            break;
        }
        if (skips(item, overwrite)) {
            report.skipped.push_back(item.output);
        } else {
            try {
                createOutputFolder(item);
                process(item);
                ++report.done;
            } catch (...) {
                addFailure(report, item, std::current_exception());
            }
        }
        ++handled;
        if (progress) progress(handled, report.failures.size());
    }
    return report;
}

BatchReport runBatch(const BatchPlan& plan, bool overwrite, const BatchStages& stages,
                     const std::function<void(size_t done, size_t failed)>& progress, const std::atomic<bool>* stop) {
    BatchReport report;
    size_t handled = 0;
    auto counted = [&] {
        ++handled;
        if (progress) progress(handled, report.failures.size());
    };
    auto stopped = [&] { return stop && stop->load(); };
    auto read = [&](size_t i) {
        Passage p;
        const BatchItem& item = plan.items[i];
        if (skips(item, overwrite)) {
            p.skipped = true;
            return p;
        }
        try {
            createOutputFolder(item);
            p.image = stages.read(item);
        } catch (...) {
            p.error = std::current_exception();
        }
        return p;
    };
    // An input whose header does not tell its size (standard input, a broken file) is not read ahead.
    auto overlaps = [&](size_t i) {
        const uint64_t pixels = stages.overlapPixels > 0 ? declaredPixels(plan.items[i].input) : 0;
        return pixels > 0 && pixels <= stages.overlapPixels;
    };

    std::future<Passage> reading;  // the next item, read ahead
    std::future<void> writing;     // the item before, being written
    size_t writingItem = 0;
    auto written = [&] {
        if (!writing.valid()) return;
        try {
            writing.get();
            ++report.done;
        } catch (...) {
            addFailure(report, plan.items[writingItem], std::current_exception());
        }
        counted();
    };
    bool overlapsThis = !plan.items.empty() && overlaps(0);
    for (size_t i = 0; i < plan.items.size(); ++i) {
        if (stopped()) {
            report.interrupted = true;
            break;
        }
        const BatchItem& item = plan.items[i];
        Passage p = reading.valid() ? reading.get() : read(i);
        const bool overlapsNext = i + 1 < plan.items.size() && overlaps(i + 1);
        if (overlapsNext)
            reading = std::async(std::launch::async, [&read, i] {
                yieldToCompute();
                return read(i + 1);
            });
        auto output = std::make_shared<Image>();
        if (!p.skipped && !p.error) {
            try {
                *output = stages.compute(item, std::move(p.image));
            } catch (...) {
                p.error = std::current_exception();
            }
        }
        written();  // the item before, so that items are reported in order
        if (p.skipped) {
            report.skipped.push_back(item.output);
            counted();
        } else if (p.error) {
            addFailure(report, item, p.error);
            counted();
        } else {
            writingItem = i;
            writing = std::async(std::launch::async, [&stages, &item, output, overlapsThis] {
                if (overlapsThis) yieldToCompute();
                stages.write(item, *output);
            });
            if (!overlapsThis) written();
        }
        overlapsThis = overlapsNext;
    }
    if (reading.valid()) reading.wait();  // read ahead before a stop: dropped, nothing was written for it
    written();
    return report;
}

}  // namespace aekit
