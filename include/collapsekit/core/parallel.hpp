// The thread-count convention of every bulk path, and the deterministic chunked
// parallel loop they all run on.
//
// Convention: a bulk function takes an optional leading `execution` argument, as the
// standard parallel algorithms take an execution policy:
//
//     ck::shannon_entropy(p);                      // one thread (the default in C++)
//     ck::shannon_entropy(ck::threads(4), p);      // at most 4 threads
//     ck::shannon_entropy(ck::all_threads, p);     // every core, when the input pays
//
// `threads(0)` (== ck::all_threads) means "all hardware threads for inputs big enough to
// pay for them, one below that"; any other count is an upper bound that is also capped
// by the amount of work. The C++ default is one thread, so that a library call never
// starts threads its caller did not ask for (the feedback driver, for example, already
// runs replicates on every core). Python's `threads=` has the same meaning with 0 as
// its default.
//
// Determinism: the answer never depends on the thread count or on scheduling. Work is
// cut into chunks whose size is fixed by the algorithm and the input length only; each
// chunk's partial result lands in its own slot, and the slots are combined in chunk
// order on the calling thread. One thread runs exactly the same chunks in the same
// order, so 1, 2, 3 or 64 threads give bit-identical results.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace collapsekit {

// How many threads a call may use; see the module comment.
struct execution {
    std::size_t threads = 1;  // 0: all hardware threads when the input is big enough

    // The number of worker threads for `work_items` independent items of which each
    // thread should get at least `min_items_per_thread` to pay for its start-up.
    std::size_t workers(std::size_t work_items, std::size_t min_items_per_thread = 1) const noexcept {
        if (work_items == 0) return 1;
        std::size_t t = threads;
        if (t == 0) {
            t = std::max<std::size_t>(1, std::thread::hardware_concurrency());
            const std::size_t pay = work_items / std::max<std::size_t>(1, min_items_per_thread);
            t = std::max<std::size_t>(1, std::min(t, pay));
        }
        return std::max<std::size_t>(1, std::min(t, work_items));
    }
};

// An execution with at most `n` threads (0: all that pay, as above).
constexpr execution threads(std::size_t n) noexcept { return execution{n}; }
inline constexpr execution all_threads{0};
inline constexpr execution sequential{1};

// Fixed chunk lengths, in elements, of the streaming kernels. They are part of the
// result's definition (they fix the summation order), so they never depend on the
// thread count; changing one changes results in the last bits.
inline constexpr std::size_t reduction_chunk = std::size_t(1) << 16;

namespace detail {

// Splits [0, n) into ceil(n / chunk) chunks of `chunk` elements (the last may be shorter).
inline std::size_t chunk_count(std::size_t n, std::size_t chunk) noexcept { return n == 0 ? 0 : (n - 1) / chunk + 1; }

// Runs body(i, worker) for every i in [0, items), on `workers` threads (the calling
// thread is worker 0), handing out items in increasing order; `worker` < workers lets a
// body use per-worker scratch its caller allocated beforehand. Every item runs exactly
// once whatever the thread count. If bodies throw, the exception of the lowest-numbered
// failing item is rethrown after all threads have stopped, so the error a caller sees
// does not depend on scheduling either (items after a failure may be skipped).
template <class Body>
void parallel_for_workers(std::size_t workers, std::size_t items, Body&& body) {
    if (items == 0) return;
    if (workers <= 1) {
        for (std::size_t i = 0; i < items; ++i) body(i, std::size_t(0));
        return;
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::exception_ptr error;
    std::size_t error_item = items;
    auto work = [&](std::size_t worker) noexcept {
        for (;;) {
            const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= items) return;
            // After a failure only lower items can change which error is reported.
            if (failed.load(std::memory_order_relaxed)) {
                const std::lock_guard<std::mutex> lock(error_mutex);
                if (i > error_item) return;
            }
            try {
                body(i, worker);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(error_mutex);
                if (i < error_item) {
                    error_item = i;
                    error = std::current_exception();
                }
                failed.store(true, std::memory_order_relaxed);
            }
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    try {
        for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work, t);
    } catch (...) {
        // Could not start a thread (resource limits): the threads that did start and
        // this one still finish every item.
    }
    work(0);
    for (auto& th : pool) th.join();
    if (error) std::rethrow_exception(error);
}

// Runs body(i) for every i in [0, items) on up to ex.workers(items, min_items_per_thread)
// threads, with parallel_for_workers' guarantees.
template <class Body>
void parallel_for(const execution& ex, std::size_t items, Body&& body, std::size_t min_items_per_thread = 1) {
    parallel_for_workers(ex.workers(items, min_items_per_thread), items, [&](std::size_t i, std::size_t) { body(i); });
}

// Splits [0, n) into fixed chunks of `chunk` elements, computes map(begin, end) for each
// (in parallel, each into its own slot) and returns the partial results in chunk order,
// for the caller to combine sequentially. The partials, and so any ordered combination
// of them, are the same for every thread count.
template <class Partial, class Map>
std::vector<Partial> chunked_map(const execution& ex, std::size_t n, std::size_t chunk, Map&& map) {
    const std::size_t chunks = chunk_count(n, chunk);
    std::vector<Partial> partial(chunks);
    parallel_for(ex, chunks, [&](std::size_t c) {
        const std::size_t begin = c * chunk;
        partial[c] = map(begin, std::min(n, begin + chunk));
    });
    return partial;
}

// chunked_map followed by a left fold in chunk order: combine(combine(p0, p1), p2)...
template <class Partial, class Map, class Combine>
Partial chunked_reduce(const execution& ex, std::size_t n, std::size_t chunk, Map&& map, Combine&& combine) {
    std::vector<Partial> partial = chunked_map<Partial>(ex, n, chunk, map);
    if (partial.empty()) return Partial{};
    Partial total = partial[0];
    for (std::size_t c = 1; c < partial.size(); ++c) total = combine(total, partial[c]);
    return total;
}

}  // namespace detail
}  // namespace collapsekit
