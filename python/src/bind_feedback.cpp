// Bindings of collapsekit's feedback area.
#include "common.hpp"

namespace ckpy {

void bind_feedback(py::module_& m) { (void)m; }

}  // namespace ckpy
