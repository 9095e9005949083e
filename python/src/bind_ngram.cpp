// Bindings of collapsekit's ngram area.
#include "common.hpp"

namespace ckpy {

void bind_ngram(py::module_& m) { (void)m; }

}  // namespace ckpy
