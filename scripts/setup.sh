#!/usr/bin/env bash
# Installs the Debian packages collapsekit needs, and only those that are missing.
# Run as root on Debian bookworm (or with sudo available); safe to run again.
set -euo pipefail

packages=(
  # C++ toolchain and build systems
  g++ clang clang-16 libclang-rt-16-dev clang-format cmake ninja-build meson pkg-config ccache
  # libraries (all header-only for us; zlib only for text_collapse's gzip input)
  libboost-dev libxsimd-dev doctest-dev libbenchmark-dev zlib1g-dev
  # Python bindings, their tests, the notebook and the peer benchmarks
  python3-dev python3-venv python3-pip python3-setuptools python3-wheel
  pybind11-dev python3-pybind11 python3-numpy python3-scipy python3-pot python3-pytest
  python3-matplotlib python3-pandas python3-dask python3-distributed
  python3-nbclient python3-nbformat python3-ipykernel python3-tqdm python3-jinja2 python3-hypothesis
  # the report page's rendering test (headless, offline)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root (or install sudo)" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
