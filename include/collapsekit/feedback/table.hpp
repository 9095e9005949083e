// The driver's output: a tidy table (lineage, replicate, generation, metric, value),
// its CSV and JSON writers, and the per-generation mean and standard error over
// replicates.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../core/errors.hpp"

namespace collapsekit {
namespace feedback {

struct table_row {
    std::string lineage;
    std::size_t replicate = 0;
    std::size_t generation = 0;
    std::string metric;
    double value = 0.0;
};

inline bool operator==(const table_row& a, const table_row& b) noexcept {
    // Values compare bitwise-equal in spirit: NaN equals NaN here, so that identical
    // runs give identical tables.
    const bool same_value = a.value == b.value || (std::isnan(a.value) && std::isnan(b.value));
    return same_value && a.lineage == b.lineage && a.replicate == b.replicate && a.generation == b.generation &&
           a.metric == b.metric;
}
inline bool operator!=(const table_row& a, const table_row& b) noexcept { return !(a == b); }

// Mean and standard error (sample sd / sqrt(n), NaN when n < 2) of one metric at one
// generation of one lineage, over replicates. NaN values are left out and not counted.
struct summary_row {
    std::string lineage;
    std::size_t generation = 0;
    std::string metric;
    double mean = std::numeric_limits<double>::quiet_NaN();
    double standard_error = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;
};

namespace detail {

inline void write_number(std::ostream& os, double v, bool json) {
    if (std::isnan(v)) {
        os << (json ? "null" : "nan");
    } else if (std::isinf(v)) {
        // JSON has no infinity: write it as a string the reader can recognise.
        os << (json ? (v > 0 ? "\"inf\"" : "\"-inf\"") : (v > 0 ? "inf" : "-inf"));
    } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        os << buf;
    }
}

inline void write_csv_field(std::ostream& os, const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) {
        os << s;
        return;
    }
    os << '"';
    for (char c : s) {
        if (c == '"') os << '"';
        os << c;
    }
    os << '"';
}

inline void write_json_string(std::ostream& os, const std::string& s) {
    os << '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            os << '\\' << c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            os << buf;
        } else {
            os << c;
        }
    }
    os << '"';
}

}  // namespace detail

class table {
public:
    table() = default;

    void add(std::string lineage, std::size_t replicate, std::size_t generation, std::string metric, double value) {
        rows_.push_back({std::move(lineage), replicate, generation, std::move(metric), value});
    }
    void add(table_row row) { rows_.push_back(std::move(row)); }
    void append(const table& other) { rows_.insert(rows_.end(), other.rows_.begin(), other.rows_.end()); }

    const std::vector<table_row>& rows() const noexcept { return rows_; }
    std::vector<table_row>& rows() noexcept { return rows_; }
    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }

    // Values of one (lineage, metric) in row order: for one replicate, generation by
    // generation. Throws if no row matches.
    std::vector<double> values(const std::string& lineage, const std::string& metric, std::size_t replicate = 0) const {
        std::vector<double> out;
        for (const auto& r : rows_) {
            if (r.lineage == lineage && r.metric == metric && r.replicate == replicate) out.push_back(r.value);
        }
        if (out.empty()) {
            fail("table::values", "no rows for lineage '" + lineage + "', metric '" + metric + "', replicate " +
                                      std::to_string(replicate));
        }
        return out;
    }

    // Per (lineage, generation, metric): mean and standard error over replicates. Rows
    // come out in first-appearance order of lineage and metric, generations ascending.
    std::vector<summary_row> summary() const {
        std::map<std::string, std::size_t> lineage_order, metric_order;
        struct acc {
            std::size_t n = 0;
            double mean = 0.0, m2 = 0.0;  // Welford
        };
        std::map<std::tuple<std::size_t, std::size_t, std::size_t>, acc> groups;
        std::vector<std::string> lineages, metrics;
        for (const auto& r : rows_) {
            auto li = lineage_order.emplace(r.lineage, lineages.size());
            if (li.second) lineages.push_back(r.lineage);
            auto mi = metric_order.emplace(r.metric, metrics.size());
            if (mi.second) metrics.push_back(r.metric);
            acc& a = groups[{li.first->second, mi.first->second, r.generation}];
            if (std::isnan(r.value)) continue;
            ++a.n;
            const double d = r.value - a.mean;
            a.mean += d / static_cast<double>(a.n);
            a.m2 += d * (r.value - a.mean);
        }
        std::vector<summary_row> out;
        out.reserve(groups.size());
        for (const auto& [key, a] : groups) {
            summary_row s;
            s.lineage = lineages[std::get<0>(key)];
            s.metric = metrics[std::get<1>(key)];
            s.generation = std::get<2>(key);
            s.n = a.n;
            if (a.n > 0) s.mean = a.mean;
            if (a.n > 1) s.standard_error = std::sqrt(a.m2 / static_cast<double>(a.n - 1) / static_cast<double>(a.n));
            out.push_back(std::move(s));
        }
        return out;
    }

    // CSV with a header line "lineage,replicate,generation,metric,value"; values with 17
    // significant digits (round-trip exact), NaN as "nan", infinities as "inf"/"-inf".
    void write_csv(std::ostream& os) const {
        os << "lineage,replicate,generation,metric,value\n";
        for (const auto& r : rows_) {
            detail::write_csv_field(os, r.lineage);
            os << ',' << r.replicate << ',' << r.generation << ',';
            detail::write_csv_field(os, r.metric);
            os << ',';
            detail::write_number(os, r.value, false);
            os << '\n';
        }
    }

    // JSON: an array of objects {"lineage", "replicate", "generation", "metric", "value"}
    // (records orientation, as pandas.read_json reads it); NaN as null, infinities as the
    // strings "inf" / "-inf" (JSON has no literal for them).
    void write_json(std::ostream& os) const {
        os << '[';
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            const auto& r = rows_[i];
            os << (i ? ",\n " : "\n ") << "{\"lineage\": ";
            detail::write_json_string(os, r.lineage);
            os << ", \"replicate\": " << r.replicate << ", \"generation\": " << r.generation << ", \"metric\": ";
            detail::write_json_string(os, r.metric);
            os << ", \"value\": ";
            detail::write_number(os, r.value, true);
            os << '}';
        }
        os << (rows_.empty() ? "]\n" : "\n]\n");
    }

    friend bool operator==(const table& a, const table& b) noexcept { return a.rows_ == b.rows_; }
    friend bool operator!=(const table& a, const table& b) noexcept { return !(a == b); }

private:
    std::vector<table_row> rows_;
};

}  // namespace feedback
}  // namespace collapsekit
