// Big buffers for the hot paths: aligned, backed by transparent huge pages where the
// system offers them, and reusable across calls, so a call on 1e8 values does not spend
// its time faulting in fresh 4 KiB pages (the sorts and the n-gram hash tables use them).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace collapsekit {
namespace detail {

// Memory for the big buffers of the hot paths (sorts, hash tables): 2 MiB aligned from
// 2 MiB on (the size rounded up to whole 2 MiB pages), with transparent huge pages asked
// for on Linux. Where THP is in `madvise` mode, as on many VMs, a 4 KiB page faulted in
// costs several microseconds (11-17 us measured on the 2-core VMs: more than counting
// the n-grams that fill it); one 2 MiB page replaces 512 of those faults and most TLB
// misses of the radix scatters. Count tables are sized in whole 2 MiB pages for this.
inline constexpr std::size_t huge_page_bytes = std::size_t{1} << 21;

inline void* allocate_big(std::size_t bytes) {
    const bool big = bytes >= huge_page_bytes;
    const std::size_t align = big ? huge_page_bytes : 64;
    const std::size_t size = (bytes + align - 1) / align * align;
    void* p = nullptr;
#if defined(__unix__) || defined(__APPLE__)
    if (posix_memalign(&p, align, size) != 0) p = nullptr;
#else
    p = std::malloc(size);  // alignment beyond max_align_t is only a speed matter
#endif
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (big) (void)madvise(p, size, MADV_HUGEPAGE);  // advice only: failure changes nothing
#endif
    return p;
}

// Asks for transparent huge pages on the whole 2 MiB pages inside [p, p + bytes) of
// memory allocated elsewhere (a std::vector's buffer, say) before it is first written:
// advice only, nothing changes if the system ignores it.
inline void advise_huge_pages(const void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t first = (begin + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    const std::uintptr_t last = (begin + bytes) / huge_page_bytes * huge_page_bytes;
    if (last > first) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

// A buffer that grows on demand and keeps its memory between calls: reused memory is
// already faulted in (and in huge pages), fresh memory is faulted in on every call.
class reusable_buffer {
public:
    reusable_buffer() = default;
    reusable_buffer(const reusable_buffer&) = delete;
    reusable_buffer& operator=(const reusable_buffer&) = delete;
    ~reusable_buffer() { release(); }

    template <class T>
    T* get(std::size_t n) {
        static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= 64, "raw storage for plain values");
        const std::size_t bytes = std::max<std::size_t>(1, n) * sizeof(T);
        if (bytes > capacity_) {
            release();
            data_ = allocate_big(bytes);
            capacity_ = bytes;
        }
        return static_cast<T*>(data_);
    }
    void release() noexcept {
        std::free(data_);
        data_ = nullptr;
        capacity_ = 0;
    }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    void* data_ = nullptr;
    std::size_t capacity_ = 0;
};

}  // namespace detail
}  // namespace collapsekit
