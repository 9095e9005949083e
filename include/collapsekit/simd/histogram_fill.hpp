// Histogram kernels: bin ("slot") indices computed a batch at a time, then counted into
// several interleaved sub-histograms so that a run of equal indices does not serialise
// on store-to-load forwarding. Each kernel has a scalar twin that gives identical counts.
//
// Slot layout shared by every kernel, for a binning with `bins` in-range bins:
//   slot 0 = underflow, slots 1..bins = the bins, slot bins+1 = overflow, slot bins+2 = NaN.
// Count arrays passed in have bins + 3 entries and are added to, never cleared.
//
// Every value is binned as the double it converts to: float and integer inputs are
// converted a chunk at a time into a small stack buffer, never as a whole array.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "../core/config.hpp"
#include "compat.hpp"

COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

namespace collapsekit::simd {

inline constexpr std::size_t histogram_extra_slots = 3;

// n equal bins over [lo, hi], assigned exactly as numpy.histogram(x, n, range=(lo, hi))
// assigns them: index = trunc((x - lo) * norm), then one correction step against the
// linspace edges edges[i] = i * step + lo (edges[n] = hi), the last bin closed.
struct regular_binning {
    std::size_t bins;
    double lo, hi;
    double norm;          // bins / (hi - lo)
    double step;          // (hi - lo) / bins, numpy.linspace's step
    const double* edges;  // bins + 1 edges as numpy.linspace computes them
};

// Sorted (non-decreasing) edges: bin i = [edges[i], edges[i+1]), the last bin closed,
// i.e. numpy's searchsorted 'right' with the closed last edge.
struct edges_binning {
    std::size_t bins;
    const double* edges;  // bins + 1 edges
};

// Categories 0..k-1: category i holds [i, i + 1) (so integer values land as in numpy.bincount).
struct integer_binning {
    std::size_t k;
};

// ---------------------------------------------------------------------------------------
// Scalar slot of one value: the definition every kernel reproduces.

inline std::size_t histogram_slot(double x, const regular_binning& b) noexcept {
    if (x != x) return b.bins + 2;
    if (x < b.lo) return 0;
    if (x > b.hi) return b.bins + 1;
    const double f = (x - b.lo) * b.norm;
    std::size_t i = static_cast<std::size_t>(f);
    if (i > b.bins - 1) i = b.bins - 1;  // numpy moves index n (x == hi) into the last bin
    // numpy's correction: at most one step down, else at most one step up.
    if (x < b.edges[i]) {
        --i;
    } else if (i != b.bins - 1 && x >= b.edges[i + 1]) {
        ++i;
    }
    return i + 1;
}

inline std::size_t histogram_slot(double x, const edges_binning& b) noexcept {
    if (x != x) return b.bins + 2;
    const double* e = b.edges;
    if (x < e[0]) return 0;
    if (x > e[b.bins]) return b.bins + 1;
    if (x == e[b.bins]) return b.bins;  // closed last edge
    // Last position p with e[p] <= x; e[0] <= x < e[bins] keeps p in [0, bins).
    std::size_t base = 0, len = b.bins + 1;
    while (len > 1) {
        const std::size_t half = len / 2;
        base = e[base + half] <= x ? base + half : base;
        len -= half;
    }
    return base + 1;
}

inline std::size_t histogram_slot(double x, const integer_binning& b) noexcept {
    if (x != x) return b.k + 2;
    if (x < 0.0) return 0;
    if (x >= static_cast<double>(b.k)) return b.k + 1;
    return static_cast<std::size_t>(x) + 1;
}

template <class B>
inline std::size_t histogram_slot_count(const B& b) noexcept {
    if constexpr (std::is_same_v<B, integer_binning>) {
        return b.k + histogram_extra_slots;
    } else {
        return b.bins + histogram_extra_slots;
    }
}

// ---------------------------------------------------------------------------------------
// Scalar twins.

// out[i] = slot of x[i].
template <class T, class B>
inline void histogram_slots_scalar(const T* x, std::size_t n, const B& b, std::uint64_t* out) noexcept {
    for (std::size_t i = 0; i < n; ++i) out[i] = histogram_slot(static_cast<double>(x[i]), b);
}

// slots[s] += number of x values in slot s.
template <class T, class B>
inline void histogram_count_scalar(const T* x, std::size_t n, const B& b, std::uint64_t* slots) noexcept {
    for (std::size_t i = 0; i < n; ++i) ++slots[histogram_slot(static_cast<double>(x[i]), b)];
}

// Per slot: entries, sum of weights and sum of squared weights. A NaN weight sends its
// pair to the NaN slot. Sums run in input order, so SIMD and scalar sums agree exactly.
template <class T, class W, class B>
inline void histogram_count_weighted_scalar(const T* x, const W* w, std::size_t n, const B& b, std::uint64_t* slots,
                                            double* sum_w, double* sum_w2) noexcept {
    const std::size_t nan_slot = histogram_slot_count(b) - 1;
    for (std::size_t i = 0; i < n; ++i) {
        const double wi = static_cast<double>(w[i]);
        const std::size_t s = wi != wi ? nan_slot : histogram_slot(static_cast<double>(x[i]), b);
        ++slots[s];
        sum_w[s] += wi;
        sum_w2[s] += wi * wi;
    }
}

#if COLLAPSEKIT_HAS_SIMD

namespace detail {

using dbatch = batch<double>;

// Integral-valued double lanes in [0, 2^52) to uint64 lanes: adding 2^52 puts the
// integer in the mantissa bits (AVX2 has no double -> int64 conversion instruction).
inline batch<std::uint64_t> to_index(const dbatch& integral) noexcept {
    const dbatch shifted = integral + splat(0x1.0p52);
    return bit_cast<std::uint64_t>(shifted) - splat<std::uint64_t>(0x4330000000000000ull);
}

// Sub-histograms interleaved slot-major (h[4 * slot + k]), so the four counters of a
// bin share a cache line but never an address: consecutive equal slots do not wait on
// each other's stores.
inline constexpr std::size_t sub_histograms = 4;

// Each binning's batch kernel keeps its constants in registers, built once per call
// (read through a reference, they would be reloaded after every store of slots).
// operator() gives the slot of each lane; biased(x, sub) gives 4 * slot + sub + 2^52,
// whose low 32 bits are the counter's index in the interleaved sub-histograms (sub is
// the lane's sub-histogram plus 2^52).
class regular_kernel {
public:
    explicit regular_kernel(const regular_binning& b) noexcept
        : lo_(b.lo),
          hi_(b.hi),
          norm_(b.norm),
          offset_(-(b.lo * b.norm)),
          step_(b.step),
          last_(static_cast<double>(b.bins) - 1.0),
          nb_(static_cast<double>(b.bins)),
          over_(static_cast<double>(b.bins) + 1.0),
          nan_(static_cast<double>(b.bins) + 2.0),
          margin_(safe_margin(b)),
          upper_(1.0 - safe_margin(b)),
          scale_(static_cast<double>(sub_histograms)) {}

    // How far from an integer the fast f = x * norm + offset must be for trunc(f) to be
    // numpy's final index without correction. With u = 2^-53 and L = max(|lo|, |hi|),
    // in units of f: the fast f is within 3.01 u bins + 2.01 u L norm of the exact
    // position (x - lo) bins / (hi - lo) (norm's two roundings, offset's, the FMA's, and
    // the product's where FMA is emulated); numpy's (x - lo) * norm within 4.01 u bins;
    // each computed edge i * step + lo within 7.02 u L norm of the exact one. Twice the
    // sum of the three is the margin: numpy's trunc then equals ours and no edge lies
    // between x and that bin's interior. Ranges where it reaches 1/2 always correct.
    static double safe_margin(const regular_binning& b) noexcept {
        const double u = 0x1.0p-53;
        const double big = std::max(std::fabs(b.lo), std::fabs(b.hi));
        const double nb = static_cast<double>(b.bins);
        return 2.0 * (7.02 * u * nb + 9.03 * u * big * b.norm) + 0x1.0p-60;
    }

    dbatch operator()(const dbatch& x) const noexcept {
        dbatch fi;
        if (fast(x, fi)) return fi + dbatch(1.0);
        return corrected(x);
    }

    dbatch biased(const dbatch& x, const dbatch& sub) const noexcept {
        dbatch fi;
        if (fast(x, fi)) return xsimd::fma(fi, scale_, sub + scale_);
        return xsimd::fma(corrected(x), scale_, sub);
    }

    // Two batches behind one test and one branch.
    void biased_pair(const dbatch& x0, const dbatch& x1, const dbatch& sub0, const dbatch& sub1, dbatch& i0,
                     dbatch& i1) const noexcept {
        const dbatch f0 = xsimd::fma(x0, norm_, offset_), f1 = xsimd::fma(x1, norm_, offset_);
        const dbatch fl0 = xsimd::floor(f0), fl1 = xsimd::floor(f1);
        const dbatch r0 = f0 - fl0, r1 = f1 - fl1;
        if (all((r0 >= margin_) & (r0 <= upper_) & (r1 >= margin_) & (r1 <= upper_))) {
            i0 = xsimd::fma(clamp(fl0), scale_, sub0 + scale_);
            i1 = xsimd::fma(clamp(fl1), scale_, sub1 + scale_);
            return;
        }
        i0 = biased(x0, sub0);
        i1 = biased(x1, sub1);
    }

private:
    // True when every lane's fast f is clear of integers by the margin (false for NaN
    // and infinite lanes); fi is then floor(f) clamped to [-1, bins], i.e. slot - 1.
    // A clear f below 0 or from bins on is a value below lo or above hi: the margin and
    // the relative error keep the sign of f - 0 and f - bins exact, so the clamp sends
    // it to the underflow or overflow slot.
    bool fast(const dbatch& x, dbatch& fi) const noexcept {
        const dbatch f = xsimd::fma(x, norm_, offset_);
        const dbatch fl = xsimd::floor(f);
        const dbatch frac = f - fl;
        if (!all((frac >= margin_) & (frac <= upper_))) return false;
        fi = clamp(fl);
        return true;
    }

    dbatch clamp(const dbatch& fl) const noexcept { return xsimd::min(xsimd::max(fl, dbatch(-1.0)), nb_); }

    // numpy's path: index trunc((x - lo) * norm) (index bins moved into the last bin),
    // then one correction step against edges[i] = i * step + lo. For the last bin the
    // upper edge would be hi, but the last bin never steps up, so it is not needed.
    // NaN lanes are found with isnan: xsimd 8.1's != on AVX is the ordered compare,
    // false for NaN.
    dbatch corrected(const dbatch& x) const noexcept {
        const dbatch one(1.0);
        const dbatch fi = xsimd::min(xsimd::floor((x - lo_) * norm_), last_);
        const dbatch next = fi + one;
        const auto down = x < fi * step_ + lo_;
        const auto up = (x >= next * step_ + lo_) & (fi != last_);  // never both
        const dbatch slot = xsimd::select(down, fi, xsimd::select(up, next + one, next));
        return xsimd::select(xsimd::isnan(x), nan_,
                             xsimd::select(x < lo_, dbatch(0.0), xsimd::select(x > hi_, over_, slot)));
    }

    dbatch lo_, hi_, norm_, offset_, step_, last_, nb_, over_, nan_, margin_, upper_, scale_;
};

// biased() and biased_pair() of the kernels whose counter index is computed from the slot.
template <class Kernel>
class indexed_by_slot {
public:
    dbatch biased(const dbatch& x, const dbatch& sub) const noexcept {
        return xsimd::fma(static_cast<const Kernel&>(*this)(x), dbatch(static_cast<double>(sub_histograms)), sub);
    }
    void biased_pair(const dbatch& x0, const dbatch& x1, const dbatch& sub0, const dbatch& sub1, dbatch& i0,
                     dbatch& i1) const noexcept {
        i0 = biased(x0, sub0);
        i1 = biased(x1, sub1);
    }
};

class edges_kernel : public indexed_by_slot<edges_kernel> {
public:
    explicit edges_kernel(const edges_binning& b) noexcept
        : e_(b.edges),
          len0_(b.bins + 1),
          first_(b.edges[0]),
          last_edge_(b.edges[b.bins]),
          nb_(static_cast<double>(b.bins)),
          over_(static_cast<double>(b.bins) + 1.0),
          nan_(static_cast<double>(b.bins) + 2.0) {}

    dbatch operator()(const dbatch& x) const noexcept {
        // Branchless binary search, every lane walking the same sequence of step sizes.
        dbatch base(0.0);
        std::size_t len = len0_;
        while (len > 1) {
            const std::size_t half = len / 2;
            const dbatch cand = base + dbatch(static_cast<double>(half));
            const dbatch v = dbatch::gather(e_, bit_cast<std::int64_t>(to_index(cand)));
            base = xsimd::select(v <= x, cand, base);
            len -= half;
        }
        dbatch slot = xsimd::select(x == last_edge_, nb_, base + dbatch(1.0));
        slot = xsimd::select(x < first_, dbatch(0.0), slot);
        slot = xsimd::select(x > last_edge_, over_, slot);
        return xsimd::select(xsimd::isnan(x), nan_, slot);
    }

private:
    const double* e_;
    std::size_t len0_;
    dbatch first_, last_edge_, nb_, over_, nan_;
};

class integer_kernel : public indexed_by_slot<integer_kernel> {
public:
    explicit integer_kernel(const integer_binning& b) noexcept
        : k_(static_cast<double>(b.k)), over_(static_cast<double>(b.k) + 1.0), nan_(static_cast<double>(b.k) + 2.0) {}

    dbatch operator()(const dbatch& x) const noexcept {
        dbatch slot = xsimd::floor(x) + dbatch(1.0);
        slot = xsimd::select(x < dbatch(0.0), dbatch(0.0), slot);
        slot = xsimd::select(x >= k_, over_, slot);
        return xsimd::select(xsimd::isnan(x), nan_, slot);
    }

private:
    dbatch k_, over_, nan_;
};

inline regular_kernel kernel_for(const regular_binning& b) noexcept { return regular_kernel(b); }
inline edges_kernel kernel_for(const edges_binning& b) noexcept { return edges_kernel(b); }
inline integer_kernel kernel_for(const integer_binning& b) noexcept { return integer_kernel(b); }

// Values per chunk: slots and converted inputs live in small stack buffers (L1-resident).
inline constexpr std::size_t chunk = 512;

// Slots of src[0..m) (doubles) into out; the tail that does not fill a batch goes
// through the scalar definition.
template <class K, class B>
inline void slots_of_doubles(const double* src, std::size_t m, const K& kern, const B& b, std::uint64_t* out) noexcept {
    constexpr std::size_t W = lanes<double>;
    std::size_t j = 0;
    for (; j + 2 * W <= m; j += 2 * W) {
        const dbatch s0 = kern(load(src + j));
        const dbatch s1 = kern(load(src + j + W));
        store(out + j, to_index(s0));
        store(out + j + W, to_index(s1));
    }
    for (; j + W <= m; j += W) store(out + j, to_index(kern(load(src + j))));
    for (; j < m; ++j) out[j] = histogram_slot(src[j], b);
}

// The fill is compute-bound enough that the hardware prefetcher alone leaves part of
// the memory latency exposed; a software prefetch this far ahead hides it. Prefetches
// never fault; the address is clamped into the array all the same.
inline constexpr std::size_t prefetch_bytes = 4096;

inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

// ++h[low 32 bits of s[j]] for j < m, unrolled as count_slots.
inline void count_low_halves(const std::uint64_t* s, std::size_t m, std::uint64_t* h) noexcept {
    std::size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        ++h[static_cast<std::uint32_t>(s[j])];
        ++h[static_cast<std::uint32_t>(s[j + 1])];
        ++h[static_cast<std::uint32_t>(s[j + 2])];
        ++h[static_cast<std::uint32_t>(s[j + 3])];
    }
    for (; j < m; ++j) ++h[static_cast<std::uint32_t>(s[j])];
}

// Values per block of the sub-histogram fills: a block's indices are computed, stored,
// then counted. Small enough that the out-of-order core overlaps one block's vector
// work with the previous block's increments; a loop doing both per batch was slower
// (its 32-bit reloads of a just-stored vector wait on store forwarding).
inline constexpr std::size_t block = 64;

// Counts src[0..m) (doubles) into the interleaved sub-histograms h, value j into
// sub-histogram j % 4. The biased indices come back as 32-bit loads of their low
// halves, which hold the index (4 * slots < 2^32 when sub-histograms are used).
template <class K, class B>
inline void count_doubles_interleaved(const double* src, std::size_t m, const K& kern, const B& b,
                                      std::uint64_t* h) noexcept {
    constexpr std::size_t W = lanes<double>;
    static_assert((2 * W) % sub_histograms == 0 && block % (2 * W) == 0, "steps must cover whole groups");
    alignas(64) double lane_sub[2 * W];
    for (std::size_t k = 0; k < 2 * W; ++k) lane_sub[k] = static_cast<double>(k % sub_histograms) + 0x1.0p52;
    const dbatch sub0 = load(lane_sub), sub1 = load(lane_sub + W);
    alignas(64) std::uint64_t s[block];
    for (std::size_t i = 0; i < m; i += block) {
        const std::size_t len = std::min(block, m - i);
        const double* p = src + i;
        std::size_t j = 0;
        for (; j + 2 * W <= len; j += 2 * W) {
            prefetch(src + std::min(i + j + prefetch_bytes / sizeof(double), m - 1));
            dbatch i0, i1;
            kern.biased_pair(load(p + j), load(p + j + W), sub0, sub1, i0, i1);
            store(s + j, bit_cast<std::uint64_t>(i0));
            store(s + j + W, bit_cast<std::uint64_t>(i1));
        }
        for (; j < len; ++j) s[j] = sub_histograms * histogram_slot(p[j], b) + j % sub_histograms;
        count_low_halves(s, len, h);
    }
}

// x[0..m) as doubles: in place for double input, else converted into buf (m <= chunk).
template <class T>
inline const double* as_doubles(const T* x, std::size_t m, double* buf) noexcept {
    if constexpr (std::is_same_v<T, double>) {
        (void)m;
        (void)buf;
        return x;
    } else {
        for (std::size_t j = 0; j < m; ++j) buf[j] = static_cast<double>(x[j]);
        return buf;
    }
}

// ++h[s[j]] for j < m, unrolled: the loop is load, increment in memory, nothing else.
template <class I>
inline void count_slots(const I* s, std::size_t m, std::uint64_t* h) noexcept {
    std::size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        ++h[s[j]];
        ++h[s[j + 1]];
        ++h[s[j + 2]];
        ++h[s[j + 3]];
    }
    for (; j < m; ++j) ++h[s[j]];
}

// Float input to regular bins, in float lanes (twice as many per instruction): when
// every lane's f = (x - lo) * norm, computed in float, lies in [0, bins) and at least a
// margin away from an integer, trunc(f) is the bin numpy computes in double. Other
// batches (and binnings where the margin is not small) take the scalar definition.
class regular_float_kernel {
public:
    explicit regular_float_kernel(const regular_binning& b) noexcept
        : usable_(usable(b)),
          lo_(usable_ ? static_cast<float>(b.lo) : 0.0f),
          norm_(usable_ ? static_cast<float>(b.norm) : 0.0f),
          nb_(static_cast<float>(b.bins)),
          margin_(usable_ ? static_cast<float>(margin(b)) : 1.0f),
          upper_(usable_ ? 1.0f - static_cast<float>(margin(b)) : 0.0f) {}

    // Bound on |f_float - exact position|, with v = 2^-24 (float rounding) and u = 2^-53:
    // rounding lo to float, x - lo, norm to float and the product give at most
    // v (L norm + 3 bins) plus 2^-148 norm + 2^-149 should a float be subnormal; the
    // double path's own errors add 4.01 u bins + 7.02 u L norm (see regular_kernel).
    // Twice the sum is the margin.
    static double margin(const regular_binning& b) noexcept {
        const double v = 0x1.0p-24, u = 0x1.0p-53;
        const double big = std::max(std::fabs(b.lo), std::fabs(b.hi));
        const double nb = static_cast<double>(b.bins);
        const double err =
            v * (big * b.norm + 3.0 * nb) + 0x1.0p-148 * b.norm + 0x1.0p-149 + 4.01 * u * nb + 7.02 * u * big * b.norm;
        return 2.0 * err + 0x1.0p-30;
    }
    // Floats hold every quantity exactly enough: bins small enough for 4 * slot + 3 to
    // be exact in a float below 2^23, no overflow or subnormal among lo, norm.
    static bool usable(const regular_binning& b) noexcept {
        const double big = std::max(std::fabs(b.lo), std::fabs(b.hi));
        return b.bins <= (std::size_t(1) << 20) && big <= 0x1.0p64 && b.norm >= 0x1.0p-64 && b.norm <= 0x1.0p64 &&
               margin(b) < 0.25;
    }
    bool usable() const noexcept { return usable_; }

    // True, with idx = 4 * slot + sub (as int32 lanes), when the whole batch is clear.
    bool operator()(const batch<float>& x, const batch<float>& sub, batch<std::int32_t>& idx) const noexcept {
        const batch<float> f = (x - lo_) * norm_;
        const batch<float> fi = xsimd::floor(f);
        const batch<float> frac = f - fi;
        const auto clear = (frac >= margin_) & (frac <= upper_) & (f >= batch<float>(0.0f)) & (f < nb_);
        if (!all(clear)) return false;
        // (fi + 1) * 4 + sub < 2^23: adding 2^23 puts it in the mantissa bits exactly.
        const batch<float> biased = (fi + batch<float>(1.0f)) * batch<float>(static_cast<float>(sub_histograms)) + sub +
                                    batch<float>(0x1.0p23f);
        idx = bit_cast<std::int32_t>(biased) - splat<std::int32_t>(0x4B000000);
        return true;
    }

private:
    bool usable_;
    batch<float> lo_, norm_, nb_, margin_, upper_;
};

// Counts float x[0..n) into the interleaved sub-histograms h through the float kernel.
inline void count_floats_regular(const float* x, std::size_t n, const regular_binning& b,
                                 const regular_float_kernel& fk, std::uint64_t* h) noexcept {
    constexpr std::size_t W = lanes<float>;
    static_assert(W % sub_histograms == 0 && block % W == 0, "float lanes must cover whole groups");
    alignas(64) float sub_lanes[W];
    for (std::size_t k = 0; k < W; ++k) sub_lanes[k] = static_cast<float>(k % sub_histograms);
    const batch<float> sub = load(sub_lanes);
    alignas(64) std::int32_t s[block];
    for (std::size_t i = 0; i < n; i += block) {
        const std::size_t m = std::min(block, n - i);
        const float* p = x + i;
        std::size_t j = 0;
        for (; j + W <= m; j += W) {
            prefetch(x + std::min(i + j + prefetch_bytes / sizeof(float), n - 1));
            batch<std::int32_t> idx;
            if (fk(load(p + j), sub, idx)) {
                store(s + j, idx);
            } else {
                for (std::size_t k = j; k < j + W; ++k) {
                    const std::size_t slot = histogram_slot(static_cast<double>(p[k]), b);
                    s[k] = static_cast<std::int32_t>(sub_histograms * slot + k % sub_histograms);
                }
            }
        }
        for (; j < m; ++j) {
            const std::size_t slot = histogram_slot(static_cast<double>(p[j]), b);
            s[j] = static_cast<std::int32_t>(sub_histograms * slot + j % sub_histograms);
        }
        count_slots(s, m, h);
    }
}

// Sub-histograms pay for their zeroing and merge only when the input is long enough,
// and are skipped for very many bins (they would not fit in cache, and long runs of
// one bin are then unlikely to be the bottleneck).
inline bool use_subs(std::size_t n, std::size_t nslots) noexcept { return n >= 2 * nslots && nslots <= (1u << 16); }

}  // namespace detail

template <class T, class B>
inline void histogram_slots_simd(const T* x, std::size_t n, const B& b, std::uint64_t* out) noexcept {
    const auto kern = detail::kernel_for(b);
    alignas(64) double buf[detail::chunk];
    for (std::size_t i = 0; i < n; i += detail::chunk) {
        const std::size_t m = std::min(detail::chunk, n - i);
        detail::slots_of_doubles(detail::as_doubles(x + i, m, buf), m, kern, b, out + i);
    }
}

template <class T, class B>
inline void histogram_count_simd(const T* x, std::size_t n, const B& b, std::uint64_t* slots) {
    const std::size_t nslots = histogram_slot_count(b);
    const auto kern = detail::kernel_for(b);
    alignas(64) double buf[detail::chunk];
    alignas(64) std::uint64_t s[detail::chunk];
    if (!detail::use_subs(n, nslots)) {
        for (std::size_t i = 0; i < n; i += detail::chunk) {
            const std::size_t m = std::min(detail::chunk, n - i);
            detail::slots_of_doubles(detail::as_doubles(x + i, m, buf), m, kern, b, s);
            detail::count_slots(s, m, slots);
        }
        return;
    }
    std::vector<std::uint64_t> h(detail::sub_histograms * nslots, 0);
    std::uint64_t* hp = h.data();
    if constexpr (std::is_same_v<T, float> && std::is_same_v<B, regular_binning>) {
        const detail::regular_float_kernel fk(b);
        if (fk.usable()) {
            detail::count_floats_regular(x, n, b, fk, hp);
            n = 0;  // everything counted; only the merge below remains
        }
    }
    if constexpr (std::is_same_v<T, double>) {
        detail::count_doubles_interleaved(x, n, kern, b, hp);
    } else {
        for (std::size_t i = 0; i < n; i += detail::chunk) {
            const std::size_t m = std::min(detail::chunk, n - i);
            detail::count_doubles_interleaved(detail::as_doubles(x + i, m, buf), m, kern, b, hp);
        }
    }
    for (std::size_t k = 0; k < nslots; ++k) {
        std::uint64_t t = 0;
        for (std::size_t q = 0; q < detail::sub_histograms; ++q) t += h[detail::sub_histograms * k + q];
        slots[k] += t;
    }
}

template <class T, class W, class B>
inline void histogram_count_weighted_simd(const T* x, const W* w, std::size_t n, const B& b, std::uint64_t* slots,
                                          double* sum_w, double* sum_w2) noexcept {
    const std::size_t nan_slot = histogram_slot_count(b) - 1;
    const auto kern = detail::kernel_for(b);
    alignas(64) double buf[detail::chunk];
    alignas(64) std::uint64_t s[detail::chunk];
    for (std::size_t i = 0; i < n; i += detail::chunk) {
        const std::size_t m = std::min(detail::chunk, n - i);
        detail::slots_of_doubles(detail::as_doubles(x + i, m, buf), m, kern, b, s);
        for (std::size_t j = 0; j < m; ++j) {
            const double wj = static_cast<double>(w[i + j]);
            const std::size_t sj = wj != wj ? nan_slot : static_cast<std::size_t>(s[j]);
            ++slots[sj];
            sum_w[sj] += wj;
            sum_w2[sj] += wj * wj;
        }
    }
}

#endif  // COLLAPSEKIT_HAS_SIMD

// ---------------------------------------------------------------------------------------
// Dispatchers: SIMD unless COLLAPSEKIT_NO_SIMD (or no xsimd). A regular binning whose
// step underflowed to zero has edges numpy computes another way; it takes the scalar path.

template <class B>
inline bool histogram_simd_applies(const B& b) noexcept {
    if constexpr (std::is_same_v<B, regular_binning>) {
        return b.step != 0.0;
    } else {
        (void)b;
        return true;
    }
}

template <class T, class B>
inline void histogram_slots(const T* x, std::size_t n, const B& b, std::uint64_t* out) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    if (histogram_simd_applies(b)) return histogram_slots_simd(x, n, b, out);
#endif
    histogram_slots_scalar(x, n, b, out);
}

template <class T, class B>
inline void histogram_count(const T* x, std::size_t n, const B& b, std::uint64_t* slots) {
#if COLLAPSEKIT_HAS_SIMD
    if (histogram_simd_applies(b)) return histogram_count_simd(x, n, b, slots);
#endif
    histogram_count_scalar(x, n, b, slots);
}

template <class T, class W, class B>
inline void histogram_count_weighted(const T* x, const W* w, std::size_t n, const B& b, std::uint64_t* slots,
                                     double* sum_w, double* sum_w2) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    if (histogram_simd_applies(b)) return histogram_count_weighted_simd(x, w, n, b, slots, sum_w, sum_w2);
#endif
    histogram_count_weighted_scalar(x, w, n, b, slots, sum_w, sum_w2);
}

}  // namespace collapsekit::simd

COLLAPSEKIT_SIMD_DIAGNOSTICS_END
