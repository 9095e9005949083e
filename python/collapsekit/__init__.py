"""collapsekit: measuring distribution drift and model collapse from numpy.

Every function is a binding of the header-only C++17 library (``collapsekit._core``):
arrays are passed without a copy when they are C-contiguous float64, float32 or integer
arrays (anything else is converted), the GIL is released while computing, and errors
arrive as ``ValueError`` / ``TypeError`` carrying the C++ message.
"""

from . import _core
from ._core import *  # noqa: F401,F403
from ._core import __version__, simd_arch  # noqa: F401

__all__ = [name for name in dir(_core) if not name.startswith("_")] + ["__version__"]
