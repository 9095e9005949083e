// The bias study of the issue: Zipf(s = 1) over K = 1000 categories, n = 200 draws,
// 500 seeded replicates. Every bias-corrected estimator must have a smaller absolute
// bias than the plug-in, by more than 3 standard errors of the paired difference.
#include <collapsekit/core/random.hpp>
#include <collapsekit/entropy.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace ck = collapsekit;

TEST_CASE("bias study: Zipf K = 1000, n = 200, 500 replicates") {
    constexpr std::size_t K = 1000, n = 200, replicates = 500;
    const ck::zipf_distribution zipf(K, 1.0);
    const double truth = ck::shannon_entropy(zipf.probabilities());
    const ck::entropy_estimator corrected[] = {ck::entropy_estimator::miller_madow, ck::entropy_estimator::grassberger,
                                               ck::entropy_estimator::chao_shen, ck::entropy_estimator::nsb};
    // Errors (estimate - truth) per replicate; index 0 is the plug-in.
    std::vector<std::vector<double>> err(5, std::vector<double>(replicates));
    std::vector<std::uint64_t> counts(K);
    for (std::size_t r = 0; r < replicates; ++r) {
        ck::rng g = ck::rng::for_stream(20261123, r);
        std::fill(counts.begin(), counts.end(), 0);
        for (std::size_t i = 0; i < n; ++i) ++counts[zipf(g) - 1];
        err[0][r] = ck::plugin_entropy(counts).value - truth;
        for (std::size_t e = 0; e < 4; ++e) err[e + 1][r] = ck::entropy_from_counts(counts, corrected[e]).value - truth;
    }
    auto mean = [](const std::vector<double>& x) {
        double s = 0;
        for (double v : x) s += v;
        return s / static_cast<double>(x.size());
    };
    const double plugin_bias = mean(err[0]);
    MESSAGE("truth " << truth << " nats; plug-in bias " << plugin_bias);
    CHECK(plugin_bias < 0.0);
    for (std::size_t e = 0; e < 4; ++e) {
        // Paired difference of absolute biases: |b_plugin| - |b_e| estimated by
        // mean(sign_p * err_p - sign_e * err_e) with the signs of the mean biases.
        const double bias = mean(err[e + 1]);
        const double sp = plugin_bias < 0 ? -1.0 : 1.0, se_sign = bias < 0 ? -1.0 : 1.0;
        std::vector<double> d(replicates);
        for (std::size_t r = 0; r < replicates; ++r) d[r] = sp * err[0][r] - se_sign * err[e + 1][r];
        const double md = mean(d);
        double ss = 0;
        for (double v : d) ss += (v - md) * (v - md);
        const double se = std::sqrt(ss / static_cast<double>(replicates - 1) / static_cast<double>(replicates));
        INFO(std::string(ck::to_string(corrected[e])) << ": bias " << bias << ", improvement " << md << " +- " << se);
        MESSAGE(std::string(ck::to_string(corrected[e]))
                << ": bias " << bias << ", |plug-in| - |this| = " << md << " +- " << se);
        CHECK(std::abs(bias) < std::abs(plugin_bias));
        CHECK(md > 3.0 * se);
    }
}
