// A console reporter that remembers every run's items/s, so a benchmark program can
// print the ratios its issue asks for (ours vs a peer, vs the memory-read reference)
// from one run on the same data. With --benchmark_repetitions=N it keeps each
// benchmark's best repetition (aggregates are skipped): on a shared machine the best of N
// is the steadiest estimate of what the code can do, and with
// --benchmark_enable_random_interleaving=true the repetitions of all benchmarks are
// interleaved, so a slow spell of the machine does not land on one side of a ratio.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace collapsekit_bench {

class rate_reporter : public benchmark::ConsoleReporter {
public:
    explicit rate_reporter(OutputOptions options = OO_Defaults) : ConsoleReporter(options) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.run_type != Run::RT_Iteration) continue;
            auto it = r.counters.find("items_per_second");
            if (it == r.counters.end()) continue;
            double& best = rates_[r.benchmark_name()];
            if (it->second.value > best) best = it->second.value;
        }
        ConsoleReporter::ReportRuns(runs);
    }

    // items/s of the named run; 0 when it did not run (e.g. filtered out).
    double rate(const std::string& name) const {
        auto it = rates_.find(name);
        return it == rates_.end() ? 0.0 : it->second;
    }

private:
    std::map<std::string, double> rates_;
};

}  // namespace collapsekit_bench
