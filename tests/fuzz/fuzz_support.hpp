// What every fuzz target shares: how a finding is reported (a message, then abort, which
// libFuzzer turns into a crash with its reproducer saved), and how a structured target
// decodes the fuzzer's bytes into doubles that reach every class of value often enough.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace collapsekit_fuzz {

// What the current input decoded to, printed with a finding so that a reproducer reads
// as arguments, not only as bytes.
inline std::string& context() {
    static std::string c;
    return c;
}

inline std::string describe(const std::vector<double>& v) {
    std::string s = "[";
    char buf[32];
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%.17g", i ? ", " : "", v[i]);
        s += buf;
    }
    return s + "]";
}

[[noreturn]] inline void finding(const std::string& what) {
    if (!context().empty()) std::fprintf(stderr, "\n*** input: %s", context().c_str());
    std::fprintf(stderr, "\n*** collapsekit fuzz finding: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

#define COLLAPSEKIT_FUZZ_CHECK(cond, what)                                                    \
    do {                                                                                      \
        if (!(cond))                                                                          \
            ::collapsekit_fuzz::finding(std::string(what) + " [" #cond "] at " __FILE__ ":" + \
                                        std::to_string(__LINE__));                            \
    } while (0)

// One double from the stream. Raw bit patterns alone would almost never give a
// probability vector that sums to 1, or a count, so a tag byte picks the class:
//   raw 64-bit pattern (NaN payloads, subnormals, huge, negative, every bit pattern),
//   a byte / 255 (probabilities), a small whole number (counts), or a special value.
inline double consume_double(FuzzedDataProvider& in) {
    static const double specials[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.5,
                                      std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::max(),
                                      -std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::epsilon(),
                                      1e-300,
                                      1e300,
                                      0x1.0p52,
                                      0x1.0p63,
                                      0x1.0p64};
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0: {
            const std::uint64_t bits = in.ConsumeIntegral<std::uint64_t>();
            double v;
            std::memcpy(&v, &bits, sizeof v);
            return v;
        }
        case 1:
            return static_cast<double>(in.ConsumeIntegral<std::uint8_t>()) / 255.0;
        case 2:
            return static_cast<double>(in.ConsumeIntegralInRange<int>(0, 20));
        default:
            return specials[in.ConsumeIntegralInRange<std::size_t>(0, sizeof specials / sizeof specials[0] - 1)];
    }
}

inline std::vector<double> consume_doubles(FuzzedDataProvider& in, std::size_t max_len) {
    std::vector<double> v(in.ConsumeIntegralInRange<std::size_t>(0, max_len));
    for (double& x : v) x = consume_double(in);
    return v;
}

}  // namespace collapsekit_fuzz
