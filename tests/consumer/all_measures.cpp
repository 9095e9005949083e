// A user's translation unit that calls every SIMD-backed measure once, with vectors built
// at run time. scripts/check_consumer_warnings.sh compiles it with each compiler, -O2 and
// -O3, at each x86-64 level, under -Wall -Wextra -Werror and nothing else, which is how a
// consumer meets our headers (no CMake target, no project flags). It is also run, so an
// AVX-512 build that compiles but computes wrong numbers fails.
#include <collapsekit/collapsekit.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace ck = collapsekit;

int main() {
    ck::rng g(7);
    ck::normal_distribution normal(0.0, 1.0);
    std::vector<double> x(1003), y(997);
    for (double& v : x) v = normal(g);
    for (double& v : y) v = 0.5 + 1.2 * normal(g);
    std::vector<float> xf(x.begin(), x.end());
    std::vector<double> w(x.size(), 0.5);

    auto hx = ck::histogram::regular(37, -4.0, 4.0), hy = hx, hf = hx, hw = hx;
    hx.fill(x);
    hy.fill(y);
    hf.fill(xf);
    hw.fill(x, w);

    std::vector<std::uint64_t> cx(hx.counts().begin(), hx.counts().end()), cy(hy.counts().begin(), hy.counts().end());
    std::vector<double> p(cx.size()), q(cy.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        p[i] = (static_cast<double>(cx[i]) + 1.0) / (static_cast<double>(hx.total()) + static_cast<double>(p.size()));
        q[i] = (static_cast<double>(cy[i]) + 1.0) / (static_cast<double>(hy.total()) + static_cast<double>(q.size()));
    }

    const double h = ck::shannon_entropy(p);
    const double hc = ck::plugin_entropy(cx).value;
    const double kl = ck::kl_divergence(p, q), js = ck::js_divergence(p, q), tv = ck::total_variation(p, q);
    const double psi = ck::psi(p, q), renyi = ck::renyi_divergence(p, q, 2.0);
    // float32 probabilities take the float kernels (xsimd's float log).
    std::vector<float> pf(p.begin(), p.end()), qf(q.begin(), q.end());
    const double klf = ck::kl_divergence(pf, qf), jsf = ck::js_divergence(pf, qf);
    const double w1 = ck::wasserstein(x, y), ed = ck::energy_distance(x, y);
    const double ks = ck::ks_2samp(x, y).statistic;
    const double tail = ck::tail_mass(x, y, 0.05, ck::tail_side::both);
    const double sum = ck::accurate_sum(ck::as_view(x));
    const auto mm = ck::simd::min_max(x.data(), x.size());

    std::printf(
        "simd %s  H %.4f Hc %.4f KL %.4f JS %.4f (float32: %.4f %.4f) TV %.4f PSI %.4f R2 %.4f W1 %.4f E %.4f KS %.4f "
        "tail %.4f\n",
        ck::simd_enabled ? "on" : "off", h, hc, kl, js, klf, jsf, tv, psi, renyi, w1, ed, ks, tail);
    const bool sane = h > 0 && hc > 0 && kl > 0 && js > 0 && js < std::log(2.0) && tv > 0 && tv < 1 && psi > 0 &&
                      renyi > 0 && std::abs(klf - kl) < 1e-4 && std::abs(jsf - js) < 1e-4 && w1 > 0.3 && w1 < 0.8 &&
                      ed > 0 && ks > 0 && ks < 1 && tail >= 0 && tail <= 1 && std::isfinite(sum) && mm.min < mm.max &&
                      hf.total() == hx.total() && hw.total() > 0;
    return sane ? 0 : 1;
}
