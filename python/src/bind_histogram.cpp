// Bindings of collapsekit's histogram area.
#include "common.hpp"

namespace ckpy {

void bind_histogram(py::module_& m) { (void)m; }

}  // namespace ckpy
