// A non-owning view of contiguous elements (C++17 has no std::span).
//
// Every estimator accepts std::vector, std::array, C arrays, our view, or pointer +
// size through it, without copying. The view never allocates and never owns.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <vector>

#include "errors.hpp"

namespace collapsekit {

template <class T>
class view {
public:
    using element_type = T;
    using value_type = std::remove_cv_t<T>;
    using size_type = std::size_t;
    using pointer = T*;
    using reference = T&;
    using iterator = T*;

    constexpr view() noexcept = default;
    constexpr view(T* data, std::size_t size) noexcept : data_(data), size_(size) {}

    template <std::size_t N>
    constexpr view(T (&array)[N]) noexcept : data_(array), size_(N) {}  // NOLINT: implicit by design

    // Any contiguous container whose data() converts to T* (vector, array, string, view<U>).
    template <class Container,
              class = std::enable_if_t<!std::is_same_v<std::decay_t<Container>, view> &&
                                       std::is_convertible_v<decltype(std::data(std::declval<Container&>())), T*>>,
              class = decltype(std::size(std::declval<Container&>()))>
    constexpr view(Container& c) noexcept  // NOLINT: implicit by design
        : data_(std::data(c)), size_(std::size(c)) {}

    // view<T> converts to view<const T>.
    template <class U, class = std::enable_if_t<std::is_convertible_v<U (*)[], T (*)[]> && !std::is_same_v<U, T>>>
    constexpr view(const view<U>& other) noexcept  // NOLINT: implicit by design
        : data_(other.data()), size_(other.size()) {}

    constexpr T* data() const noexcept { return data_; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr T* begin() const noexcept { return data_; }
    constexpr T* end() const noexcept { return data_ + size_; }
    constexpr T& operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr T& front() const noexcept { return data_[0]; }
    constexpr T& back() const noexcept { return data_[size_ - 1]; }

    // Elements [offset, offset + count); the range is clamped to the view, never past it.
    constexpr view subview(std::size_t offset, std::size_t count = static_cast<std::size_t>(-1)) const noexcept {
        if (offset > size_) offset = size_;
        if (count > size_ - offset) count = size_ - offset;
        return view(data_ + offset, count);
    }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

template <class T>
view(T*, std::size_t) -> view<T>;
template <class T, std::size_t N>
view(T (&)[N]) -> view<T>;
template <class T, class A>
view(std::vector<T, A>&) -> view<T>;
template <class T, class A>
view(const std::vector<T, A>&) -> view<const T>;
template <class T, std::size_t N>
view(std::array<T, N>&) -> view<T>;
template <class T, std::size_t N>
view(const std::array<T, N>&) -> view<const T>;

// A read-only view of anything contiguous; the entry point estimators use so that
// they can be templates over the caller's container without copying it.
template <class T>
constexpr view<const T> as_view(const view<T>& v) noexcept {
    return view<const T>(v.data(), v.size());
}
template <class Range>
constexpr auto as_view(const Range& r) noexcept
    -> view<const std::remove_cv_t<std::remove_pointer_t<decltype(std::data(r))>>> {
    return {std::data(r), std::size(r)};
}
template <class T>
constexpr view<const T> as_view(const T* data, std::size_t size) noexcept {
    return view<const T>(data, size);
}

// The element type a contiguous range holds (the type estimators template over).
template <class Range>
using range_value_t = std::remove_cv_t<std::remove_pointer_t<decltype(std::data(std::declval<const Range&>()))>>;

}  // namespace collapsekit
