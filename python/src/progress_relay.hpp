// Long calls with a progress function and Ctrl-C: the work runs on a thread of its own
// while the calling thread waits without the GIL. The calling thread then runs the Python
// progress function itself, so a tqdm bar and any exception it raises behave as in plain
// Python (workers never contend for the GIL), and it checks for Ctrl-C, which Python
// delivers only to the main thread running Python code. Either stops the workers at their
// next unit of work (the work's report function throws there).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include <collapsekit/core/progress.hpp>

#include "common.hpp"

namespace ckpy {

// What the work's thread tells the calling thread.
struct progress_relay {
    std::mutex m;
    std::condition_variable cv;
    std::size_t done = 0, total = 0;
    bool finished = false;
    std::atomic<bool> cancel{false};
};

// Thrown from the report function to stop the workers once the caller has given up.
struct cancelled : std::exception {
    const char* what() const noexcept override { return "collapsekit: cancelled"; }
};

// Returns work(report), where report(done, total) is the function the work calls after
// each unit (its calls serialised, as ck::work_progress's are); progress is None or a
// Python callable progress(done, total), called once per unit from this thread.
template <class Work>
auto relay_progress(const py::object& progress, Work&& work) {
    using result_type = std::invoke_result_t<Work&, const ck::work_progress&>;
    progress_relay relay;
    // Waking the calling thread costs a few microseconds of both threads' time, as much as a
    // whole small unit of work: it is woken at most every 20 ms for a progress function, and
    // never without one (it wakes every 100 ms anyway to check for Ctrl-C, and at the end).
    const bool wants_progress = !progress.is_none();
    auto last_wake = std::chrono::steady_clock::now();
    const ck::work_progress report = [&relay, &last_wake, wants_progress](std::size_t done, std::size_t total) {
        if (relay.cancel.load()) throw cancelled();
        {
            std::lock_guard<std::mutex> lock(relay.m);
            relay.done = done;
            relay.total = total;
        }
        if (!wants_progress) return;
        const auto now = std::chrono::steady_clock::now();
        if (done == total || now - last_wake >= std::chrono::milliseconds(20)) {
            last_wake = now;  // report's calls are serialised
            relay.cv.notify_one();
        }
    };
    std::optional<result_type> result;
    std::exception_ptr failure;
    std::thread worker([&] {
        try {
            result.emplace(work(report));
        } catch (...) {
            failure = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(relay.m);
            relay.finished = true;
        }
        relay.cv.notify_one();
    });
    // On every way out the worker is stopped and joined: it refers to this frame.
    struct joiner {
        std::thread& t;
        progress_relay& state;
        ~joiner() {
            if (!t.joinable()) return;
            state.cancel.store(true);
            py::gil_scoped_release release;
            t.join();
        }
    } join_on_exit{worker, relay};

    std::optional<py::error_already_set> python_error;
    std::size_t reported = 0;
    for (;;) {
        std::size_t done = 0, total = 0;
        bool finished = false;
        {
            py::gil_scoped_release release;
            std::unique_lock<std::mutex> lock(relay.m);
            // The timeout only bounds how late Ctrl-C is noticed.
            relay.cv.wait_for(lock, std::chrono::milliseconds(100),
                              [&] { return relay.finished || relay.done > reported; });
            done = relay.done;
            total = relay.total;
            finished = relay.finished;
        }
        if (!python_error) {
            try {
                if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                while (wants_progress && reported < done) progress(++reported, total);
            } catch (py::error_already_set& e) {
                python_error.emplace(std::move(e));
                relay.cancel.store(true);
            }
        }
        if (python_error || !wants_progress) reported = done;
        if (finished) break;
    }
    {
        py::gil_scoped_release release;
        worker.join();
    }
    if (python_error) throw std::move(*python_error);
    if (failure) std::rethrow_exception(failure);
    return std::move(*result);
}

}  // namespace ckpy
