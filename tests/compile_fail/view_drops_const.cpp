// Must not compile: a read-only container cannot be viewed as mutable.
#include <collapsekit/core/view.hpp>

#include <vector>

int main() {
    const std::vector<double> x{1.0, 2.0};
    collapsekit::view<double> v(x);
    return static_cast<int>(v.size());
}
