#!/usr/bin/env python3
"""Writes docs/bad-input-matrix.md: what every public array-taking function of collapsekit
does with each class of bad input (empty, NaN, +-inf, wrong dtype, forged bytes, ...).

The inputs, the calls and the description of each outcome live in
python/tests/bad_input_matrix.py; python/tests/test_bad_input_matrix.py fails when the
committed page differs from what the library does now. Run from anywhere, with the
compiled module importable:

    PYTHONPATH=<build>/python /usr/bin/python3 scripts/bad_input_matrix.py          # write
    PYTHONPATH=<build>/python /usr/bin/python3 scripts/bad_input_matrix.py --check  # exit 1 + diff if stale
"""

import argparse
import difflib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "bad-input-matrix.md")
sys.path.insert(0, os.path.join(ROOT, "python", "tests"))

import bad_input_matrix  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the file on disk instead of writing it")
    args = parser.parse_args()
    text = bad_input_matrix.render()
    if not args.check:
        with open(PAGE, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(PAGE, ROOT)}")
        return 0
    try:
        with open(PAGE, encoding="utf-8") as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    if old == text:
        print(f"{os.path.relpath(PAGE, ROOT)} is up to date")
        return 0
    rel = os.path.relpath(PAGE, ROOT)
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), rel, rel + " (now)"))
    print(f"\n{rel} is stale: run {bad_input_matrix.REGENERATE}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
