// Software prefetches for loops whose next addresses are known ahead but not predictable
// by the hardware (hash slots, documents in a random order).
#pragma once

namespace collapsekit {
namespace detail {

inline void prefetch_for_write(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1, 1);
#else
    (void)p;
#endif
}

inline void prefetch_for_read(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 1);
#else
    (void)p;
#endif
}

}  // namespace detail
}  // namespace collapsekit
