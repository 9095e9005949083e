// Must not compile: a float vector is not silently reinterpreted as doubles.
#include <collapsekit/core/view.hpp>

#include <vector>

int main() {
    std::vector<float> x{1.0f, 2.0f};
    collapsekit::view<const double> v(x);
    return static_cast<int>(v.size());
}
