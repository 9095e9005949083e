// Growing a vector that is appended to in pieces.
#pragma once

#include <algorithm>
#include <cstddef>

namespace collapsekit {
namespace detail {

// Makes room for n more elements of v. The capacity at least doubles when it grows:
// reserving exactly size() + n before each append would copy every element already there
// on every call, quadratic in the number of appends (a model asked for its samples a
// batch at a time, the accumulate policy's training set, a human pool drawn into one
// generation after another). Elements already there are kept; nothing is constructed.
template <class Vector>
void reserve_for_append(Vector& v, std::size_t n) {
    const std::size_t need = v.size() + n;
    if (need > v.capacity()) v.reserve(std::max(need, 2 * v.capacity()));
}

}  // namespace detail
}  // namespace collapsekit
