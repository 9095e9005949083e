#include <collapsekit/collapsekit.hpp>

#include <cstdio>
#include <vector>

namespace ck = collapsekit;

int main() {
    ck::rng g(42);
    ck::normal_distribution normal(0.0, 1.0);
    std::vector<double> x(1000);
    for (double& v : x) v = normal(g);
    const double mean = ck::accurate_sum(ck::as_view(x)) / static_cast<double>(x.size());
    std::printf("collapsekit %s: mean of 1000 normals = %.6f\n", ck::version.string, mean);
    return (mean > -0.2 && mean < 0.2) ? 0 : 1;
}
