// Bindings of collapsekit's entropy area.
#include "common.hpp"

namespace ckpy {

void bind_entropy(py::module_& m) { (void)m; }

}  // namespace ckpy
