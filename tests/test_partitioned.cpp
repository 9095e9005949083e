// partitioned/*.hpp: mergeable key-cell histograms and bracket-and-refine give the
// single-process values of W1, KS, energy and quantiles, with bounds that always hold.
#include <collapsekit/partitioned/bracket.hpp>
#include <collapsekit/partitioned/key_cells.hpp>
#include <collapsekit/partitioned/tail_counts.hpp>
#include <collapsekit/tail.hpp>
#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace ck = collapsekit;
namespace part = collapsekit::partitioned;

namespace {

// Runs the planner over samples split in `parts` pieces each, merging per pass.
part::bracket run(part::bracket_options o, const std::vector<double>& x, const std::vector<double>& y,
                  std::size_t parts, std::vector<std::pair<double, double>>* history = nullptr,
                  std::vector<std::size_t>* cells_per_pass = nullptr) {
    part::bracket b(o);
    auto pieces = [&](const std::vector<double>& v) {
        std::vector<ck::view<const double>> out;
        const std::size_t step = v.size() / parts + 1;
        for (std::size_t i = 0; i < v.size(); i += step) {
            out.emplace_back(v.data() + i, std::min(step, v.size() - i));
        }
        out.emplace_back(v.data(), std::size_t{0});  // an empty partition
        return out;
    };
    const auto px = pieces(x), py = pieces(y);
    while (b.step() != part::next_step::done) {
        if (b.step() == part::next_step::refine) {
            part::cell_histogram total(b.spec());
            for (const auto& p : px) {
                part::cell_histogram h(b.spec());
                h.fill(p, 0, o.nan);
                const auto bytes = h.serialize();
                total += part::cell_histogram::deserialize(bytes.data(), bytes.size());
            }
            for (const auto& p : py) {
                part::cell_histogram h(b.spec());
                h.fill(p, 1, o.nan);
                total += h;
            }
            if (cells_per_pass) cells_per_pass->push_back(total.cells().size());
            b.update(total);
        } else {
            const auto r = b.gather_ranges();
            std::vector<double> gx, gy;
            for (const auto& p : px) {
                const auto s = part::select_in_ranges(p, r);
                gx.insert(gx.end(), s.begin(), s.end());
            }
            for (const auto& p : py) {
                const auto s = part::select_in_ranges(p, r);
                gy.insert(gy.end(), s.begin(), s.end());
            }
            b.finish(ck::view<const double>(gx.data(), gx.size()), ck::view<const double>(gy.data(), gy.size()));
        }
        if (history) history->emplace_back(b.lower()[0], b.upper()[0]);
    }
    return b;
}

std::vector<double> normal(std::size_t n, double mu, double sigma, unsigned seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> d(mu, sigma);
    std::vector<double> v(n);
    for (auto& x : v) x = d(g);
    return v;
}

}  // namespace

TEST_CASE("cell_histogram: merge of shards equals one fill, bytes round-trip") {
    const auto x = normal(5000, 0, 1, 1);
    part::cell_histogram one(part::refine_spec{}), a(part::refine_spec{}), b(part::refine_spec{});
    one.fill(ck::view<const double>(x.data(), x.size()), 0, ck::nan_policy::raise);
    a.fill(ck::view<const double>(x.data(), 1234), 0, ck::nan_policy::raise);
    b.fill(ck::view<const double>(x.data() + 1234, x.size() - 1234), 0, ck::nan_policy::raise);
    a += b;
    CHECK(a == one);
    CHECK(one.total(0) == 5000);
    const auto bytes = one.serialize();
    CHECK(part::cell_histogram::deserialize(bytes.data(), bytes.size()) == one);
    CHECK_THROWS_AS(part::cell_histogram::deserialize(bytes.data(), bytes.size() - 1), std::invalid_argument);
    const std::vector<double> bad{1.0, INFINITY};
    CHECK_THROWS_AS(one.fill(ck::view<const double>(bad.data(), bad.size()), 0, ck::nan_policy::raise),
                    std::invalid_argument);
    part::refine_spec other;
    other.depth = 16;
    other.prefixes = {5};
    CHECK_THROWS_AS(one += part::cell_histogram(other), std::invalid_argument);
}

TEST_CASE("cell_histogram: refine specs of 1..16 bits; the dense and the sorting fill agree") {
    auto spec = [](unsigned depth, std::vector<std::uint64_t> prefixes, unsigned bits) {
        part::refine_spec s;
        s.depth = depth;
        s.prefixes = std::move(prefixes);
        s.bits = bits;
        return s;
    };
    CHECK_NOTHROW(part::cell_histogram(spec(16, {1, 2}, 1)));
    CHECK_NOTHROW(part::cell_histogram(spec(48, {1}, 16)));
    CHECK_NOTHROW(part::cell_histogram(spec(63, {1}, 1)));
    CHECK_THROWS_AS(part::cell_histogram(spec(16, {1}, 0)), std::invalid_argument);
    CHECK_THROWS_AS(part::cell_histogram(spec(16, {1}, 17)), std::invalid_argument);
    CHECK_THROWS_AS(part::cell_histogram(spec(49, {1}, 16)), std::invalid_argument);
    CHECK_THROWS_AS(part::cell_histogram(spec(8, {1}, 8)), std::invalid_argument);  // depth 1..15
    CHECK_THROWS_AS(part::cell_histogram(spec(0, {0}, 8)), std::invalid_argument);  // pass 0 counts 16 bits
    CHECK_THROWS_AS(part::cell_histogram(spec(16, {1u << 16}, 4)), std::invalid_argument);
    CHECK_THROWS_AS(part::cell_histogram(spec(20, {3, 3}, 4)), std::invalid_argument);
    // No prefixes: no cell is refined, so every value is skipped, at depth 0 too.
    for (const unsigned depth : {0u, 16u, 40u}) {
        part::cell_histogram none(spec(depth, {}, 16));
        const std::vector<double> v{1.0, -2.0, 3.5};
        none.fill(ck::view<const double>(v.data(), v.size()), 0, ck::nan_policy::raise);
        CHECK(none.cells().empty());
    }

    // Values over many exponents: every top-16-bit cell they fill, refined by 16 bits in
    // one spec (too many children for the dense table: sorted) and by groups of 16
    // parents (dense), gives the same cells; refined by 1, 5 and 12 bits, the children
    // of each cell add up to it.
    std::vector<double> x = normal(20000, 0, 1, 7);
    for (std::size_t i = 0; i < x.size(); i += 3) x[i] = std::ldexp(x[i], static_cast<int>(i % 40) - 20);
    const ck::view<const double> xv(x.data(), x.size());
    part::cell_histogram root(part::refine_spec{});
    root.fill(xv, 0, ck::nan_policy::raise);
    std::vector<std::uint64_t> parents;
    for (const auto& c : root.cells()) parents.push_back(c.prefix);
    REQUIRE(parents.size() > 64);
    part::cell_histogram sorted(spec(16, parents, 16));
    sorted.fill(xv, 0, ck::nan_policy::raise);
    std::vector<part::cell> dense;
    for (std::size_t i = 0; i < parents.size(); i += 16) {
        part::cell_histogram h(spec(16,
                                    {parents.begin() + static_cast<std::ptrdiff_t>(i),
                                     parents.begin() + static_cast<std::ptrdiff_t>(std::min(i + 16, parents.size()))},
                                    16));
        h.fill(xv, 0, ck::nan_policy::raise);
        dense.insert(dense.end(), h.cells().begin(), h.cells().end());
    }
    REQUIRE(dense.size() == sorted.cells().size());
    for (std::size_t i = 0; i < dense.size(); ++i) {
        CHECK(dense[i].prefix == sorted.cells()[i].prefix);
        CHECK(dense[i].count[0] == sorted.cells()[i].count[0]);
        CHECK(dense[i].sum[0] == sorted.cells()[i].sum[0]);
    }
    for (const unsigned bits : {1u, 5u, 12u}) {
        part::cell_histogram h(spec(16, parents, bits));
        h.fill(xv, 0, ck::nan_policy::raise);
        CHECK(h.child_depth() == 16 + bits);
        std::size_t j = 0;
        for (const auto& parent : root.cells()) {
            std::uint64_t count = 0;
            part::uint128 sum = 0;
            for (; j < h.cells().size() && (h.cells()[j].prefix >> bits) == parent.prefix; ++j) {
                count += h.cells()[j].count[0];
                sum += h.cells()[j].sum[0];
            }
            CHECK(count == parent.count[0]);
            CHECK(sum == parent.sum[0]);
        }
        CHECK(j == h.cells().size());
        const auto bytes = h.serialize();
        CHECK(part::cell_histogram::deserialize(bytes.data(), bytes.size()) == h);
    }
}

TEST_CASE("bracket: max_cells bounds every pass's cells and still reaches the exact values") {
    // Near-identical samples: after pass 0 almost every value is undecided, so 16 bits a
    // pass would make about one cell per value.
    const auto x = normal(40000, 0, 1, 31), y = normal(30000, 0, 1, 32);
    const double w_exact = ck::wasserstein(x, y);
    for (const std::uint64_t max_cells : {std::uint64_t{1} << 18, std::uint64_t{4096}, std::uint64_t{300}}) {
        for (const auto what : {part::measure::wasserstein, part::measure::ks, part::measure::quantile}) {
            part::bracket_options o;
            o.what = what;
            o.qs = {0.01, 0.5, 0.99};
            o.gather_limit = 100;
            o.max_cells = max_cells;
            std::vector<std::size_t> cells;
            std::vector<std::pair<double, double>> hist;
            const auto b = run(o, x, y, 4, &hist, &cells);
            CHECK(b.exact());
            if (what == part::measure::wasserstein) {
                CHECK(b.values()[0] == doctest::Approx(w_exact).epsilon(1e-12));
                for (const auto& [lo, hi] : hist) CHECK((lo <= w_exact * (1 + 1e-12) && hi >= w_exact * (1 - 1e-12)));
            } else if (what == part::measure::ks) {
                CHECK(b.values()[0] == ck::ks_2samp(x, y).statistic);
            } else {
                CHECK(b.values() == ck::quantile(x, o.qs));
            }
            // Pass 0 has up to 65536 cells; later ones at most max_cells, unless 4 bits
            // already exceed it (then 4 bits a pass, at most 16 cells per undecided cell).
            for (std::size_t p = 1; p < cells.size(); ++p)
                CHECK(cells[p] <= std::max<std::size_t>(max_cells, 16 * cells[p - 1]));
            if (max_cells == std::uint64_t{1} << 18) {
                for (std::size_t p = 1; p < cells.size(); ++p) CHECK(cells[p] <= max_cells);
            }
            if (max_cells == 300 && what == part::measure::wasserstein) CHECK(b.passes() > 4);
        }
    }
}

TEST_CASE("bracket: W1, KS, energy and quantiles equal the sort-based kernels; bounds hold") {
    for (unsigned seed = 0; seed < 4; ++seed) {
        auto x = normal(3000, 0, 1, 10 + seed);
        auto y = normal(2000, seed * 0.05, 1.2, 20 + seed);
        if (seed == 1) std::sort(x.begin(), x.end());  // sorted shards
        if (seed == 2) {
            for (auto& v : x) v = std::round(v * 4) / 4;  // heavy ties
            for (auto& v : y) v = std::round(v * 4) / 4;
        }
        for (const std::uint64_t limit : {std::uint64_t{0}, std::uint64_t{500}, std::uint64_t{1} << 20}) {
            part::bracket_options o;
            o.gather_limit = limit;
            const double w_exact = ck::wasserstein(x, y);
            std::vector<std::pair<double, double>> hist;
            const auto w = run(o, x, y, 5, &hist);
            CHECK(w.exact());
            CHECK(w.passes() <= 5);
            CHECK(w.values()[0] == doctest::Approx(w_exact).epsilon(1e-12));
            for (const auto& [lo, hi] : hist) {
                CHECK(lo <= w_exact * (1 + 1e-12));
                CHECK(hi >= w_exact * (1 - 1e-12));
            }
            o.what = part::measure::ks;
            const auto k = run(o, x, y, 3);
            const auto ks = ck::ks_2samp(x, y);
            CHECK(k.values()[0] == ks.statistic);
            CHECK(k.ks_pvalue() == ks.pvalue);
            CHECK(std::isnan(w.ks_pvalue()));  // other measures have none
            o.what = part::measure::energy;
            const auto e = run(o, x, y, 3);
            CHECK(e.values()[0] == doctest::Approx(ck::energy_distance(x, y)).epsilon(1e-12));
            o.what = part::measure::quantile;
            o.qs = {0.0, 0.001, 0.25, 0.5, 0.9, 1.0};
            const auto q = run(o, x, {}, 4);
            const auto ref = ck::quantile(x, o.qs);
            for (std::size_t i = 0; i < ref.size(); ++i) CHECK(q.values()[i] == ref[i]);
        }
    }
}

TEST_CASE("bracket: KS p-values of every alternative and size regime equal ks_2samp's") {
    // Exact p-values (max(n, m) <= 10000, equal and unequal sizes) and asymptotic ones.
    for (const auto& [n, m] : {std::pair<std::size_t, std::size_t>{400, 400}, {700, 300}, {12000, 9000}}) {
        const auto x = normal(n, 0, 1, 31), y = normal(m, 0.1, 1, 32);
        for (const auto alt : {ck::ks_alternative::two_sided, ck::ks_alternative::less, ck::ks_alternative::greater}) {
            part::bracket_options o;
            o.what = part::measure::ks;
            o.alternative = alt;
            const auto k = run(o, x, y, 4);
            const auto ref = ck::ks_2samp(x, y, alt);
            CHECK(k.values()[0] == ref.statistic);
            CHECK(k.ks_pvalue() == ref.pvalue);
        }
    }
    // Stopped early by tol: the statistic is not exact, so neither is a p-value.
    const auto x = normal(3000, 0, 1, 33), y = normal(3000, 0.2, 1, 34);
    part::bracket_options o;
    o.what = part::measure::ks;
    o.tol = 0.5;
    o.gather_limit = 0;
    const auto k = run(o, x, y, 2);
    CHECK_FALSE(k.exact());
    CHECK(std::isnan(k.ks_pvalue()));
}

TEST_CASE("bracket: a single value, tol stops early, NaN policies") {
    const std::vector<double> one(100, 2.5), other(50, 3.0);
    part::bracket_options o;
    auto w = run(o, one, other, 3);
    CHECK(w.values()[0] == 0.5);
    CHECK(w.exact());

    const auto x = normal(4000, 0, 1, 7), y = normal(4000, 0.1, 1, 8);
    o.gather_limit = 0;
    o.tol = 1e-2;
    w = run(o, x, y, 2);
    CHECK(w.upper()[0] - w.lower()[0] <= 1e-2);
    CHECK(w.lower()[0] <= ck::wasserstein(x, y));
    CHECK(w.upper()[0] >= ck::wasserstein(x, y));

    std::vector<double> xn = x;
    xn[3] = NAN;
    o.tol = 0;
    o.nan = ck::nan_policy::propagate;
    CHECK(std::isnan(run(o, xn, y, 2).values()[0]));
    o.nan = ck::nan_policy::omit;
    std::vector<double> xo(x.begin(), x.end());
    xo.erase(xo.begin() + 3);
    CHECK(run(o, xn, y, 2).values()[0] == doctest::Approx(ck::wasserstein(xo, y)).epsilon(1e-12));
    o.nan = ck::nan_policy::raise;
    CHECK_THROWS_AS(run(o, xn, y, 2), std::invalid_argument);
    CHECK_THROWS_AS(run(o, {}, y, 2), std::invalid_argument);
}

TEST_CASE("tail_counter equals tail_mass for any split") {
    const auto r = normal(1000, 0, 1, 3), g = normal(777, 0, 1.5, 4);
    const auto t = ck::tail_thresholds(r, 0.05);
    part::tail_counter a(t.lower, t.upper), b(t.lower, t.upper);
    a.fill(ck::view<const double>(g.data(), 300), ck::nan_policy::raise);
    b.fill(ck::view<const double>(g.data() + 300, g.size() - 300), ck::nan_policy::raise);
    a += b;
    CHECK(a.mass(ck::nan_policy::raise) == ck::tail_mass(r, g, 0.05, ck::tail_side::both));
}
