// Progress of long bulk work (bootstrap replicates, permutations) reported to the
// caller's function, so that a command-line tool or a notebook can show a bar for a call
// that takes seconds.
//
// Contract for a work_progress function f(done, total): it is called after each unit of
// work (a replicate, a permutation), with done = 1, 2, ..., total in that order, never
// concurrently with itself (calls are serialised under a lock, from whichever worker
// thread finished the unit), and never when it is empty. It may throw to stop the work:
// the workers stop at their next unit and the call rethrows that exception (for several
// failing units, the one of the lowest unit, as for any error of the parallel work).
// The results never depend on whether a progress function is given.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <utility>

namespace collapsekit {

using work_progress = std::function<void(std::size_t done, std::size_t total)>;

namespace detail {

// Counts finished units and reports each to a work_progress function (see above).
class progress_meter {
public:
    progress_meter(const work_progress& report, std::size_t total) : report_(report), total_(total) {}

    // Thread-safe: one finished unit.
    void advance() {
        if (!report_) return;
        const std::lock_guard<std::mutex> lock(m_);
        report_(++done_, total_);
    }

private:
    const work_progress& report_;
    std::size_t total_ = 0;
    std::size_t done_ = 0;
    std::mutex m_;
};

}  // namespace detail
}  // namespace collapsekit
