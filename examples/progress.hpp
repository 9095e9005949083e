// Progress of a long feedback::simulate() run on stderr, shared by the example programs.
//
// On a terminal it keeps one line up to date in place (bar, steps done, elapsed, ETA);
// otherwise (a log file, CI, a pipe) it writes plain lines, about one per tenth of the
// run, because carriage returns make logs unreadable. stdout stays free for
// the tables, so `tool > out.txt` still shows progress.
//
// The driver reports generations completed summed over the replicates (total =
// generations x replicates), and all lineages of a replicate advance together, so the
// caller's label names the lineages and replicates and the count covers all of them.
#pragma once

#include <collapsekit/feedback/driver.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/ioctl.h>
#include <unistd.h>
#endif

namespace collapsekit_examples {

inline bool stderr_is_terminal() {
#if defined(__unix__) || defined(__APPLE__)
    return isatty(fileno(stderr)) != 0;
#else
    return false;
#endif
}

// Columns of the terminal on stderr (80 when it cannot tell): a line redrawn with "\r"
// must not wrap, or every redraw leaves a line behind.
inline std::size_t stderr_columns() {
#if defined(TIOCGWINSZ)
    winsize w{};
    if (ioctl(fileno(stderr), TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
#endif
    return 80;
}

// "8.2 s" below a minute, then "3:07" or "1:02:03", so a line does not jump in width.
inline std::string duration_text(double seconds) {
    char buf[32];
    if (!(seconds >= 0.0)) seconds = 0.0;
    if (seconds < 60.0) {
        std::snprintf(buf, sizeof buf, "%.1f s", seconds);
        return buf;
    }
    const auto s = static_cast<unsigned long long>(seconds + 0.5);
    if (s < 3600) {
        std::snprintf(buf, sizeof buf, "%llu:%02llu", s / 60, s % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
    }
    return buf;
}

enum class progress_mode { quiet, terminal, lines };

// The mode an example uses: quiet when asked, else by what stderr is.
inline progress_mode progress_mode_for(bool quiet) {
    if (quiet) return progress_mode::quiet;
    return stderr_is_terminal() ? progress_mode::terminal : progress_mode::lines;
}

class progress_printer {
public:
    using clock = std::chrono::steady_clock;

    // label: what runs, e.g. "plain, top-p 0.9 (4 replicates)".
    progress_printer(std::string label, progress_mode mode, std::FILE* out = stderr)
        : label_(std::move(label)), mode_(mode), out_(out), start_(clock::now()), last_(start_) {}

    // Called by the driver (serialised, done increasing by one per call).
    void operator()(const collapsekit::feedback::progress& p) {
        if (mode_ == progress_mode::quiet || p.total == 0) return;
        const auto now = clock::now();
        const bool finished = p.done >= p.total;
        const double elapsed = seconds(now - start_);
        if (mode_ == progress_mode::terminal) {
            // Redrawing costs a write per generation; ten a second is smooth enough.
            if (!finished && p.done != 1 && seconds(now - last_) < 0.1) return;
            draw_terminal(p, elapsed, finished);
        } else {
            // A line per tenth of the run, but not more than one a second (a short run
            // leaves only its last line in a log), and every 30 s when tenths are slow.
            const std::size_t tenth = 10 * p.done / p.total;
            const double quiet_for = seconds(now - last_);
            if (!finished && !(tenth != last_tenth_ && quiet_for >= 1.0) && quiet_for < 30.0) return;
            last_tenth_ = tenth;
            std::fprintf(out_, "%s\n", status(p, elapsed, finished).c_str());
        }
        std::fflush(out_);
        last_ = now;
    }

    // A first line before any step has finished: the first generation of a large corpus
    // can take a while, and silence then looks like a hang.
    void start(std::size_t total) {
        if (mode_ == progress_mode::quiet) return;
        collapsekit::feedback::progress p;
        p.total = total;
        if (mode_ == progress_mode::terminal) {
            draw_terminal(p, 0.0, false);
        } else {
            std::fprintf(out_, "%s\n", status(p, 0.0, false).c_str());
        }
        std::fflush(out_);
    }

    // As simulation_options::on_progress wants it; the printer must outlive the run.
    std::function<void(const collapsekit::feedback::progress&)> callback() {
        if (mode_ == progress_mode::quiet) return nullptr;
        return [this](const collapsekit::feedback::progress& p) { (*this)(p); };
    }

private:
    static double seconds(clock::duration d) { return std::chrono::duration<double>(d).count(); }

    // Where the run is: "generation 4/10" (of "replicate 2/4" when there are several).
    // The generation and replicate are those of the latest report; replicates run side by
    // side, so the percentage and ETA come from the count over all of them.
    static std::string position(const collapsekit::feedback::progress& p, bool abbreviated) {
        if (p.generations == 0) return "";
        std::string s = std::string(abbreviated ? "gen " : "generation ") + std::to_string(p.generation) + "/" +
                        std::to_string(p.generations);
        if (p.replicates > 1) {
            s += std::string(abbreviated ? " rep " : " of replicate ") + std::to_string(p.replicate + 1) + "/" +
                 std::to_string(p.replicates);
        }
        return s + (abbreviated ? ", " : "; ");
    }

    std::string status(const collapsekit::feedback::progress& p, double elapsed, bool finished) const {
        std::string s = label_ + ": ";
        if (finished) {
            return s + std::to_string(p.done) + "/" + std::to_string(p.total) + " generations in " +
                   duration_text(elapsed);
        }
        s += position(p, false) + std::to_string(p.done) + "/" + std::to_string(p.total) + " generations";
        s += " (" + std::to_string(100 * p.done / p.total) + "%), " + duration_text(elapsed) + " elapsed";
        if (p.done > 0) s += ", ETA " + duration_text(eta(p, elapsed));
        return s;
    }

    // The steps left at the mean pace so far.
    static double eta(const collapsekit::feedback::progress& p, double elapsed) {
        return elapsed * static_cast<double>(p.total - p.done) / static_cast<double>(p.done);
    }

    void draw_terminal(const collapsekit::feedback::progress& p, double elapsed, bool finished) {
        std::string line;
        if (finished) {
            line = status(p, elapsed, true);
        } else {
            // Short, to fit 80 columns with a label: the plain lines say it in full.
            constexpr std::size_t width = 10;
            const std::size_t filled = width * p.done / p.total;
            line = label_ + " [" + std::string(filled, '#') + std::string(width - filled, '.') + "] " +
                   (p.generations > 0 ? position(p, true)
                                      : std::to_string(p.done) + "/" + std::to_string(p.total) + " gen, ") +
                   std::to_string(100 * p.done / p.total) + "%, " + duration_text(elapsed);
            if (p.done > 0) line += ", ETA " + duration_text(eta(p, elapsed));
        }
        if (columns_ == 0) columns_ = stderr_columns();
        if (line.size() >= columns_) line.resize(columns_ - 1);
        // Pad over the previous, possibly longer, line instead of relying on ANSI codes.
        const std::size_t pad = shown_ > line.size() ? shown_ - line.size() : 0;
        std::fprintf(out_, "\r%s%*s%s", line.c_str(), static_cast<int>(pad), "", finished ? "\n" : "");
        shown_ = finished ? 0 : line.size();
    }

    std::string label_;
    progress_mode mode_;
    std::FILE* out_;
    clock::time_point start_, last_;
    std::size_t last_tenth_ = 0;
    std::size_t shown_ = 0;    // width of the line now on the terminal
    std::size_t columns_ = 0;  // the terminal's width, asked once
};

}  // namespace collapsekit_examples
