// Bindings of collapsekit's divergence area.
#include "common.hpp"

namespace ckpy {

void bind_divergence(py::module_& m) { (void)m; }

}  // namespace ckpy
