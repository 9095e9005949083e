"""Builds collapsekit._core from python/src against the header-only library in ../include.

The extension is compiled for the host's instruction set (-march=native): the SIMD
kernels are chosen at compile time, and a generic build would silently run SSE2.
Set COLLAPSEKIT_ARCH (e.g. x86-64-v3) to build for another machine, COLLAPSEKIT_INCLUDE
to point at the headers elsewhere, CK_BUILD_JOBS for parallel compilation (default 2).
"""

import os
from pathlib import Path

from pybind11.setup_helpers import ParallelCompile, Pybind11Extension
from setuptools import setup

here = Path(__file__).resolve().parent
include = Path(os.environ.get("COLLAPSEKIT_INCLUDE", here.parent / "include"))
if not (include / "collapsekit" / "collapsekit.hpp").exists():
    raise RuntimeError(f"collapsekit headers not found under {include}; set COLLAPSEKIT_INCLUDE")

arch = os.environ.get("COLLAPSEKIT_ARCH", "native")
sources = sorted(str(p.relative_to(here)) for p in (here / "src").glob("*.cpp"))

ParallelCompile("CK_BUILD_JOBS", default=2).install()

ext = Pybind11Extension(
    "collapsekit._core",
    sources,
    include_dirs=[str(include)],
    cxx_std=17,
    extra_compile_args=[
        f"-march={arch}",
        "-O2",
        "-ffp-contract=off",  # seeded streams bit-identical to the C++ library's builds
        "-Wall",
        "-Wextra",
        "-Wno-maybe-uninitialized",  # GCC 12's AVX-512 headers, as in the C++ build
    ],
)

setup(ext_modules=[ext], zip_safe=False)
