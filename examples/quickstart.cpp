// The smallest useful collapsekit program: seeded sampling and an accurate sum.
#include <collapsekit/collapsekit.hpp>

#include <cstdio>
#include <vector>

namespace ck = collapsekit;

int main() {
    ck::rng g(42);
    ck::normal_distribution normal(0.0, 1.0);
    ck::zipf_distribution zipf(1000, 1.1);

    std::vector<double> x(1'000'000);
    for (double& v : x) v = normal(g);
    const double mean = ck::accurate_sum(ck::as_view(x)) / static_cast<double>(x.size());

    std::size_t rank_one = 0;
    for (int i = 0; i < 100000; ++i) rank_one += zipf(g) == 1 ? 1 : 0;

    std::printf("collapsekit %s (SIMD %s)\n", ck::version.string, ck::simd_enabled ? "on" : "off");
    std::printf("mean of 1e6 standard normals: %+.5f\n", mean);
    std::printf("share of rank 1 in Zipf(K=1000, s=1.1): %.4f (exact %.4f)\n", rank_one / 1e5, zipf.probabilities()[0]);
    return 0;
}
