// Bindings of collapsekit's tail area.
#include "common.hpp"

namespace ckpy {

void bind_tail(py::module_& m) { (void)m; }

}  // namespace ckpy
