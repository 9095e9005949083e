"""Builds collapsekit._core from python/src against the header-only library in ../include.

The extension is compiled for the host's instruction set (-march=native): the SIMD
kernels are chosen at compile time, and a generic build would silently run SSE2.
Set COLLAPSEKIT_ARCH (e.g. x86-64-v3) to build for another machine, COLLAPSEKIT_INCLUDE
to point at the headers elsewhere, CK_BUILD_JOBS for parallel compilation (default 2).
"""

import os
import platform
import shlex
import subprocess
import sysconfig
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


def gcc12_workaround_flags():
    """-mmove-max=128 -mstore-max=128 when the C++ compiler is GCC 12 on x86-64.

    GCC 12 miscompiles copies of 32- and 64-byte constants once AVX-512 is enabled (our
    -march=native on an AVX-512 host): {2, 2, 0, 0} is written as {2, 2, 2, 2}. See
    cmake/collapsekitCompilerWorkarounds.cmake and tests/test_toolchain.cpp.
    """
    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686"):
        return []
    cxx = shlex.split(os.environ.get("CXX") or sysconfig.get_config_var("CXX") or "c++")
    try:
        macros = subprocess.run(
            cxx + ["-x", "c++", "-dM", "-E", "-"], input="", capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    defined = dict(line.split()[1:3] for line in macros.splitlines() if len(line.split()) >= 3)
    if "__clang__" in defined or defined.get("__GNUC__") != "12":
        return []
    return ["-mmove-max=128", "-mstore-max=128"]


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
        *gcc12_workaround_flags(),
    ],
)

setup(ext_modules=[ext], zip_safe=False)
