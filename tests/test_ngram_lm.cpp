// The n-gram language model (feedback/models/ngram_lm.hpp) against its definition written
// out with std::map (counts per context, longest seen context, smoothing on the empty
// context, controls per context), and its sampling against those distributions by
// simulation with fixed seeds (tolerances of 4 standard errors).
#include <collapsekit/feedback.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;
using collapsekit_test::error_message;

namespace {

using lmt_doc = std::vector<std::uint32_t>;
using lmt_docs = std::vector<lmt_doc>;
using lmt_dist = std::map<std::uint32_t, double>;

// The model's meaning: counts of every (context of c < order tokens, next token) over
// the documents padded with order - 1 begin markers (id V) and one end marker (id V + 1).
struct lmt_reference {
    std::size_t v, order;
    fb::ngram_lm_options opt;
    std::vector<std::map<lmt_doc, std::map<std::uint32_t, double>>> counts;

    lmt_reference(const lmt_docs& docs, std::size_t vocabulary, const fb::ngram_lm_options& o)
        : v(vocabulary), order(o.order), opt(o), counts(o.order) {
        const auto bos = static_cast<std::uint32_t>(v), eos = static_cast<std::uint32_t>(v + 1);
        for (const auto& d : docs) {
            lmt_doc p(order - 1, bos);
            p.insert(p.end(), d.begin(), d.end());
            p.push_back(eos);
            for (std::size_t i = order - 1; i < p.size(); ++i) {
                for (std::size_t c = 0; c < order; ++c)
                    counts[c][lmt_doc(p.begin() + long(i - c), p.begin() + long(i))][p[i]] += 1;
            }
        }
        if (o.smoothing > 0) {
            for (std::uint32_t t = 0; t <= v + 1; ++t) {
                if (t != bos) counts[0][{}][t] += o.smoothing;
            }
        }
    }

    // Ids with positive probability in the empty context after the controls.
    std::size_t live() const {
        std::vector<double> w;
        std::vector<std::uint32_t> tok;
        for (const auto& [t, n] : counts[0].at({})) tok.push_back(t), w.push_back(n);
        w = fb::detail::apply_controls(w, opt.controls);
        std::size_t k = 0;
        for (std::size_t i = 0; i < w.size(); ++i) k += w[i] > 0 && tok[i] < v ? 1 : 0;
        return k;
    }

    // The next-token distribution after prefix, the end marker written as V.
    lmt_dist next(const lmt_doc& prefix) const {
        lmt_doc p(order - 1, static_cast<std::uint32_t>(v));
        p.insert(p.end(), prefix.begin(), prefix.end());
        for (std::size_t c = order; c-- > 0;) {
            const auto it = counts[c].find(lmt_doc(p.end() - long(c), p.end()));
            if (it == counts[c].end()) continue;
            std::vector<std::uint32_t> tok;
            std::vector<double> w;
            for (const auto& [t, n] : it->second) tok.push_back(t), w.push_back(n);
            w = fb::detail::apply_controls(w, opt.controls);
            double s = 0;
            for (double x : w) s += x;
            lmt_dist out;
            for (std::size_t i = 0; i < w.size(); ++i) {
                if (w[i] > 0) out[tok[i] == v + 1 ? static_cast<std::uint32_t>(v) : tok[i]] = w[i] / s;
            }
            return out;
        }
        return {};
    }
};

lmt_dist lmt_model_next(const fb::ngram_lm& lm, const lmt_doc& prefix) {
    lmt_dist out;
    for (const auto& [t, p] : lm.next_distribution(ck::as_view(prefix))) out[t] = p;
    return out;
}

// Same support, probabilities within 1e-9 (the tables keep about 2^-42 of a slot).
void lmt_check_same(const lmt_dist& model, const lmt_dist& ref, const std::string& where) {
    INFO(where);
    REQUIRE(model.size() == ref.size());
    double s = 0;
    for (const auto& [t, p] : model) {
        REQUIRE(ref.count(t) == 1);
        CHECK(std::abs(p - ref.at(t)) < 1e-9);
        s += p;
    }
    CHECK(std::abs(s - 1.0) < 1e-12);
}

std::string lmt_str(const lmt_doc& d) {
    std::string s = "prefix {";
    for (auto t : d) s += std::to_string(t) + ",";
    return s + "}";
}

// Every prefix of every document (and each document with an unseen id appended when V
// allows one), compared with the reference.
void lmt_check_against_reference(const lmt_docs& docs, std::size_t v, const fb::ngram_lm_options& o,
                                 const lmt_doc& unseen = {}) {
    ck::rng g(1);
    fb::ngram_lm lm(v, o);
    lm.fit(ck::as_view(docs), g);
    const lmt_reference ref(docs, v, o);
    for (std::size_t c = 0; c < o.order; ++c) CHECK(lm.contexts(c) == ref.counts[c].size());
    std::set<lmt_doc> prefixes;
    prefixes.insert(lmt_doc{});
    for (const auto& d : docs) {
        for (std::size_t i = 0; i <= d.size(); ++i) prefixes.insert(lmt_doc(d.begin(), d.begin() + long(i)));
        for (auto u : unseen) {
            lmt_doc e = d;
            e.push_back(u);
            prefixes.insert(e);
            e.push_back(d.empty() ? 0 : d[0]);
            prefixes.insert(e);
        }
    }
    for (const auto& p : prefixes) lmt_check_same(lmt_model_next(lm, p), ref.next(p), lmt_str(p));
    CHECK(lm.live_vocabulary() == ref.live());
}

lmt_docs lmt_zipf_docs(std::size_t docs, std::size_t len, std::size_t v, std::uint64_t seed) {
    ck::rng g(seed);
    ck::zipf_distribution z(v, 1.1);
    lmt_docs out(docs);
    for (auto& d : out) {
        const std::size_t n = static_cast<std::size_t>(g.below(len + 1));
        for (std::size_t i = 0; i < n; ++i) d.push_back(static_cast<std::uint32_t>(z(g) - 1));
    }
    return out;
}

// Pearson's statistic of observed counts (n in all) against probabilities p, with the
// outcomes expected fewer than 10 times pooled into one cell; returns whether it lies
// within 4 standard deviations (sqrt(2 df)) of its mean (df, the cells less one).
bool lmt_chi2_ok(const std::map<std::uint32_t, double>& observed, const lmt_dist& p, double n) {
    double x = 0, pooled_o = 0, pooled_e = 0, cells = 0;
    for (const auto& [t, q] : p) {
        const auto it = observed.find(t);
        const double o = it == observed.end() ? 0.0 : it->second, e = n * q;
        if (e < 10) {
            pooled_o += o;
            pooled_e += e;
            continue;
        }
        x += (o - e) * (o - e) / e;
        cells += 1;
    }
    if (pooled_e > 0) {
        x += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
        cells += 1;
    }
    const double df = cells - 1;
    INFO("chi2 = " << x << " with " << df << " degrees of freedom");
    CHECK(df >= 1);
    return x < df + 4 * std::sqrt(2 * df);
}

}  // namespace

TEST_CASE("ngram_lm: tables equal the counts, with backoff, smoothing and controls") {
    const auto zipf = lmt_zipf_docs(250, 12, 60, 3);
    for (std::size_t order = 1; order <= 4; ++order) {
        fb::ngram_lm_options o;
        o.order = order;
        CAPTURE(order);
        lmt_check_against_reference(zipf, 60, o, {59});
        o.smoothing = 0.25;
        lmt_check_against_reference(zipf, 60, o, {59});
        o.smoothing = 0;
        o.controls.top_k = 3;
        lmt_check_against_reference(zipf, 60, o, {59});
        o.controls = {};
        o.controls.top_p = 0.7;
        lmt_check_against_reference(zipf, 60, o, {59});
        o.controls.temperature = 0.6;
        lmt_check_against_reference(zipf, 60, o, {59});
        o.controls = {};
        o.controls.temperature = 2.5;
        o.smoothing = 1.0;
        lmt_check_against_reference(zipf, 60, o, {59});
    }
}

TEST_CASE("ngram_lm: refits reuse the lookup tables; contexts of earlier fits are gone") {
    // Two corpora with different contexts, fitted in turn 300 times into one model: the
    // tables of earlier fits are reused (their entries stamped stale, stamps wrapping
    // after 255 fits); every fit must read exactly like a fresh one.
    const auto a = lmt_zipf_docs(200, 10, 40, 21), b = lmt_zipf_docs(150, 14, 40, 22);
    fb::ngram_lm_options o;
    o.order = 4;
    const lmt_reference ra(a, 40, o), rb(b, 40, o);
    ck::rng g(8);
    fb::ngram_lm lm(40, o);
    std::set<lmt_doc> prefixes;
    for (const auto* docs : {&a, &b}) {
        for (const auto& d : *docs) {
            for (std::size_t i = 0; i <= d.size(); ++i) prefixes.insert(lmt_doc(d.begin(), d.begin() + long(i)));
        }
    }
    for (int fit = 1; fit <= 300; ++fit) {
        const bool on_a = fit % 2 == 1 || (fit > 250 && fit < 260);
        lm.fit(ck::as_view(on_a ? a : b), g);
        if (fit > 3 && fit % 50 != 0 && !(fit >= 253 && fit <= 258)) continue;
        CAPTURE(fit);
        const lmt_reference& r = on_a ? ra : rb;
        for (std::size_t c = 0; c < o.order; ++c) CHECK(lm.contexts(c) == r.counts[c].size());
        for (const auto& p : prefixes) lmt_check_same(lmt_model_next(lm, p), r.next(p), lmt_str(p));
    }
}

TEST_CASE("ngram_lm: the same model and documents for every thread count") {
    const auto docs = lmt_zipf_docs(6000, 16, 300, 31);
    auto run = [&](std::size_t threads) {
        fb::ngram_lm_options o;
        o.threads = threads;
        o.controls.top_p = 0.9;
        ck::rng g(12);
        fb::ngram_lm lm(300, o);
        lm.fit(ck::as_view(docs), g);
        std::vector<std::vector<std::uint32_t>> out;
        lm.sample(9000, g, out);  // three chunks of random streams
        lm.sample(5, g, out);
        std::vector<lmt_dist> next;
        for (std::size_t i = 0; i < 200; ++i)
            next.push_back(lmt_model_next(lm, lmt_doc(docs[i].begin(), docs[i].begin() + long(docs[i].size() / 2))));
        return std::make_pair(out, next);
    };
    const auto one = run(1);
    CHECK(one.first.size() == 9005);
    for (std::size_t t : {std::size_t{2}, std::size_t{3}, std::size_t{0}}) {
        CAPTURE(t);
        const auto other = run(t);
        CHECK(other.first == one.first);
        CHECK(other.second == one.second);
    }
}

TEST_CASE("ngram_lm: backoff to the longest seen context, by hand") {
    fb::ngram_lm_options o;
    o.order = 3;
    const lmt_docs docs{{0, 1, 2}, {3, 1, 4}};
    ck::rng g(2);
    fb::ngram_lm lm(6, o);
    lm.fit(ck::as_view(docs), g);
    // (0, 1) was seen: 2 follows.
    CHECK(lmt_model_next(lm, {0, 1}) == lmt_dist{{2, 1.0}});
    // (2, 1) was not, (1) was: 2 or 4.
    CHECK(lmt_model_next(lm, {2, 1}) == lmt_dist{{2, 0.5}, {4, 0.5}});
    // Neither (begin, 5) nor (5): the unigram counts, the end marker as 6.
    const lmt_dist uni{{0, 1.0 / 8}, {1, 2.0 / 8}, {2, 1.0 / 8}, {3, 1.0 / 8}, {4, 1.0 / 8}, {6, 2.0 / 8}};
    lmt_check_same(lmt_model_next(lm, {5}), uni, "unseen id");
    lmt_check_same(lmt_model_next(lm, {2, 2}), lmt_dist{{6, 1.0}}, "(2) ends documents");
    // Smoothing reaches the empty context only.
    o.smoothing = 0.5;
    fb::ngram_lm lms(6, o);
    lms.fit(ck::as_view(docs), g);
    CHECK(lmt_model_next(lms, {2, 1}) == lmt_dist{{2, 0.5}, {4, 0.5}});
    const lmt_dist smooth{{0, 1.5 / 11.5}, {1, 2.5 / 11.5}, {2, 1.5 / 11.5}, {3, 1.5 / 11.5},
                          {4, 1.5 / 11.5}, {5, 0.5 / 11.5}, {6, 2.5 / 11.5}};
    lmt_check_same(lmt_model_next(lms, {5}), smooth, "smoothed unigram");
    CHECK(lms.live_vocabulary() == 6);
    CHECK(lm.live_vocabulary() == 5);
}

TEST_CASE("ngram_lm: sampled next tokens follow the counts (chi-square within 4 SE)") {
    // After token 0, token t in 1..50 follows t times: one context with 50 outcomes.
    lmt_docs docs;
    for (std::uint32_t t = 1; t <= 50; ++t) {
        for (std::uint32_t r = 0; r < t; ++r) docs.push_back({0, t});
    }
    fb::ngram_lm_options o;
    o.order = 2;
    ck::rng g(7);
    fb::ngram_lm lm(51, o);
    lm.fit(ck::as_view(docs), g);
    lmt_dist p;
    for (std::uint32_t t = 1; t <= 50; ++t) p[t] = t / 1275.0;
    lmt_check_same(lmt_model_next(lm, {0}), p, "after 0");
    for (std::size_t batch : {std::size_t{1}, std::size_t{7}, std::size_t{40000}}) {
        CAPTURE(batch);
        std::map<std::uint32_t, double> seen;
        const std::size_t n = 40000;
        std::vector<std::vector<std::uint32_t>> out;
        while (out.size() < n) lm.sample(std::min(batch, n - out.size()), g, out);
        for (const auto& d : out) {
            REQUIRE(d.size() == 2);
            CHECK(d[0] == 0);
            seen[d[1]] += 1;
        }
        CHECK(lmt_chi2_ok(seen, p, double(n)));
    }

    // Order 3 on Zipf text: the first two tokens of every document, against the model's
    // own distributions, pooled into one test over the (first, second) pairs.
    const auto zipf = lmt_zipf_docs(2000, 10, 30, 11);
    o.order = 3;
    fb::ngram_lm lm3(30, o);
    lm3.fit(ck::as_view(zipf), g);
    std::vector<std::vector<std::uint32_t>> out;
    const double n = 100000;
    lm3.sample(std::size_t(n), g, out);
    std::map<std::uint32_t, double> seen;
    for (const auto& d : out) seen[d.empty() ? 31u * 32u : d[0] * 32u + (d.size() > 1 ? d[1] : 30u)] += 1;
    lmt_dist joint;
    for (const auto& [a, pa] : lmt_model_next(lm3, {})) {
        if (a == 30) {
            joint[31u * 32u] += pa;
            continue;
        }
        for (const auto& [b, pb] : lmt_model_next(lm3, {a})) joint[a * 32u + b] += pa * pb;
    }
    CHECK(lmt_chi2_ok(seen, joint, n));
    for (const auto& [key, c] : seen) CHECK(joint.count(key) == 1);
}

TEST_CASE("ngram_lm: controls by hand and by sampling") {
    // After 0: 1 five times, 2 three times, 3 twice; 4 and 5 tie once each.
    lmt_docs docs;
    for (int i = 0; i < 5; ++i) docs.push_back({0, 1});
    for (int i = 0; i < 3; ++i) docs.push_back({0, 2});
    for (int i = 0; i < 2; ++i) docs.push_back({0, 3});
    docs.push_back({0, 5});
    docs.push_back({0, 4});
    auto after0 = [&](fb::sampling_controls c) {
        fb::ngram_lm_options o;
        o.order = 2;
        o.controls = c;
        ck::rng g(3);
        fb::ngram_lm lm(6, o);
        lm.fit(ck::as_view(docs), g);
        return lmt_model_next(lm, {0});
    };
    fb::sampling_controls c;
    c.top_k = 2;
    lmt_check_same(after0(c), {{1, 5.0 / 8}, {2, 3.0 / 8}}, "top_k 2");
    c.top_k = 4;
    lmt_check_same(after0(c), {{1, 5.0 / 11}, {2, 3.0 / 11}, {3, 2.0 / 11}, {4, 1.0 / 11}},
                   "top_k 4: the tie goes to 4");
    c = {};
    c.top_p = 0.6;
    lmt_check_same(after0(c), {{1, 5.0 / 8}, {2, 3.0 / 8}}, "top_p 0.6");
    c = {};
    c.temperature = 0.5;
    lmt_check_same(after0(c), {{1, 25.0 / 40}, {2, 9.0 / 40}, {3, 4.0 / 40}, {4, 1.0 / 40}, {5, 1.0 / 40}},
                   "temperature 0.5");

    fb::ngram_lm_options o;
    o.order = 2;
    o.controls.top_p = 0.8;  // keeps 1, 2, 3 (10 of 12 >= 0.8)
    ck::rng g(4);
    fb::ngram_lm lm(6, o);
    lm.fit(ck::as_view(docs), g);
    std::vector<std::vector<std::uint32_t>> out;
    const double n = 60000;
    lm.sample(std::size_t(n), g, out);
    std::map<std::uint32_t, double> seen;
    for (const auto& d : out) seen[d.at(1)] += 1;
    CHECK(seen.size() == 3);
    const lmt_dist p{{1, 0.5}, {2, 0.3}, {3, 0.2}};
    CHECK(lmt_chi2_ok(seen, p, n));
}

TEST_CASE("ngram_lm: edge cases") {
    ck::rng g(5);
    std::vector<std::vector<std::uint32_t>> out;
    SUBCASE("empty documents") {
        fb::ngram_lm lm(4);
        lm.fit(ck::as_view(lmt_docs{{}, {}, {}}), g);
        CHECK(lm.contexts(0) == 1);
        CHECK(lm.contexts(1) == 1);
        CHECK(lm.contexts(2) == 1);
        CHECK(lm.contexts(3) == 0);
        CHECK(lm.live_vocabulary() == 0);
        CHECK(lmt_model_next(lm, {}) == lmt_dist{{4, 1.0}});
        lm.sample(100, g, out);
        REQUIRE(out.size() == 100);
        for (const auto& d : out) CHECK(d.empty());
    }
    SUBCASE("one-token documents") {
        fb::ngram_lm lm(5);
        lm.fit(ck::as_view(lmt_docs{{3}}), g);
        lm.sample(50, g, out);
        for (const auto& d : out) CHECK(d == lmt_doc{3});
        lmt_check_against_reference({{3}, {1}, {3}, {}}, 5, {}, {4});
    }
    SUBCASE("vocabulary 1") {
        for (std::size_t order = 1; order <= 4; ++order) {
            fb::ngram_lm_options o;
            o.order = order;
            lmt_check_against_reference({{0, 0, 0}, {0}, {}}, 1, o, {0});
            fb::ngram_lm lm(1, o);
            lm.fit(ck::as_view(lmt_docs{{0, 0, 0}, {0}}), g);
            out.clear();
            lm.sample(200, g, out);
            for (const auto& d : out) {
                for (auto t : d) CHECK(t == 0);
            }
        }
    }
    SUBCASE("ids at vocabulary - 1: 16- and 20-bit ids, 64- and 128-bit keys") {
        for (std::size_t v : {std::size_t{65534}, std::size_t{65535}, (std::size_t{1} << 20) - 2}) {
            const auto top = static_cast<std::uint32_t>(v - 1);
            const lmt_docs docs{{top, 0, top, top}, {top}, {0, top, 0}, {top, top, top, top, top}};
            for (std::size_t order = 1; order <= 4; ++order) {
                CAPTURE(v);
                CAPTURE(order);
                fb::ngram_lm_options o;
                o.order = order;
                lmt_check_against_reference(docs, v, o, {top - 1});
                fb::ngram_lm lm(v, o);
                lm.fit(ck::as_view(docs), g);
                out.clear();
                lm.sample(300, g, out);
                for (const auto& d : out) {
                    for (auto t : d) CHECK((t == 0 || t == top));
                }
            }
        }
    }
    SUBCASE("max_length cuts documents") {
        fb::ngram_lm_options o;
        o.order = 2;
        o.max_length = 3;
        fb::ngram_lm lm(2, o);
        lm.fit(ck::as_view(lmt_docs{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}), g);  // after 0: 0 nine times in ten
        const double n = 40000;
        lm.sample(std::size_t(n), g, out);
        double cut = 0;
        for (const auto& d : out) {
            CHECK(d.size() >= 1);
            CHECK(d.size() <= 3);
            cut += d.size() == 3 ? 1 : 0;
        }
        const double p = 0.81;
        CHECK(std::abs(cut / n - p) < 4 * std::sqrt(p * (1 - p) / n));
    }
    SUBCASE("smoothing without documents: every id and the end marker alike") {
        fb::ngram_lm_options o;
        o.smoothing = 0.5;
        fb::ngram_lm lm(4, o);
        lm.fit(ck::as_view(lmt_docs{}), g);
        lmt_check_same(lmt_model_next(lm, {2, 1}), {{0, 0.2}, {1, 0.2}, {2, 0.2}, {3, 0.2}, {4, 0.2}}, "uniform");
        CHECK(lm.contexts(1) == 0);
        const double n = 20000;
        lm.sample(std::size_t(n), g, out);
        double tokens = 0;
        for (const auto& d : out) tokens += double(d.size());
        // Lengths are geometric with mean 4 and variance 20.
        CHECK(std::abs(tokens / n - 4.0) < 4 * std::sqrt(20.0 / n));
    }
    SUBCASE("errors") {
        fb::ngram_lm lm(3);
        CHECK(error_message([&] { (void)lm.next_distribution(ck::as_view(lmt_doc{})); }) ==
              "collapsekit::ngram_lm::next_distribution: the model has not been fitted");
        lm.fit(ck::as_view(lmt_docs{{0, 1}}), g);
        CHECK(error_message([&] {
                  (void)lm.next_distribution(ck::as_view(lmt_doc{0, 3}));
              }) == "collapsekit::ngram_lm::next_distribution: prefix[1] = 3 is not below the vocabulary size 3");
        fb::ngram_lm_options o;
        o.max_length = 0;
        CHECK(error_message([&] { fb::ngram_lm(3, o); }) == "collapsekit::ngram_lm: max_length must be at least 1");
        CHECK(error_message([&] { fb::ngram_lm(std::size_t{1} << 20); }) ==
              "collapsekit::ngram_lm: vocabulary must lie in 1..2^20 - 2 (got 1048576)");
        // A failed fit leaves the fitted model as it was.
        CHECK_THROWS_AS(lm.fit(ck::as_view(lmt_docs{{0}, {1, 2, 3}}), g), std::invalid_argument);
        CHECK(lmt_model_next(lm, {0}) == lmt_dist{{1, 1.0}});
    }
}

TEST_CASE("ngram_lm: the same seed gives the same documents; refits and copies agree") {
    const auto text = fb::tokenize_sentences(fb::builtin_text());
    const std::size_t V = text.words.size();
    fb::ngram_lm_options o;
    o.controls.top_p = 0.95;
    ck::rng g(1);
    fb::ngram_lm lm(V, o);
    lm.fit(ck::as_view(text.documents), g);
    auto draw = [](const fb::ngram_lm& m, std::uint64_t seed, std::size_t n) {
        ck::rng r(seed);
        std::vector<std::vector<std::uint32_t>> out;
        m.sample(n, r, out);
        return out;
    };
    const auto a = draw(lm, 42, 500);
    CHECK(a == draw(lm, 42, 500));
    CHECK(a != draw(lm, 43, 500));
    const fb::ngram_lm copy = lm;  // without the fit's working memory
    CHECK(draw(copy, 42, 500) == a);
    fb::ngram_lm refit = lm;
    refit.fit(ck::as_view(lmt_zipf_docs(300, 20, V, 9)), g);  // other data first, then the same again
    refit.fit(ck::as_view(text.documents), g);
    CHECK(draw(refit, 42, 500) == a);
    // Appending keeps what was there.
    std::vector<std::vector<std::uint32_t>> out{{7, 7}};
    ck::rng r(42);
    lm.sample(500, r, out);
    REQUIRE(out.size() == 501);
    CHECK(out[0] == lmt_doc{7, 7});
    CHECK(std::vector<std::vector<std::uint32_t>>(out.begin() + 1, out.end()) == a);

    // The documents of one seed, pinned: a change here changes every user's results.
    std::uint64_t h = 1469598103934665603ULL;
    std::size_t tokens = 0;
    for (const auto& d : a) {
        for (auto t : d) h = (h ^ t) * 1099511628211ULL, ++tokens;
        h = (h ^ 0xFFFFFFFFu) * 1099511628211ULL;
    }
    CAPTURE(tokens);
    CHECK(tokens == 8129);
    CHECK(h == 9544571509631778206ULL);
}
