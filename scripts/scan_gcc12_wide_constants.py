#!/usr/bin/env python3
"""Lists the places where GCC 12 miscompiled a wide constant copy, from RTL expand dumps.

GCC 12 on x86-64 with AVX-512 (see README, "Compilers and instruction-set levels") turns a
32- or 64-byte constant whose upper 64-bit words are zero, such as {2, 2, 0, 0}, into a
broadcast of its first word. In an expand dump that shows as an OImode (32-byte) or XImode
(64-byte) register set from a vector broadcast, whose REG_EQUAL constant stores fewer 64-bit
words than the mode holds. Usage, for any translation unit of yours:

    g++ -std=c++17 -O2 -march=x86-64-v4 -fdump-rtl-expand -dumpdir out/ -c file.cpp -o /dev/null
    /usr/bin/python3 scripts/scan_gcc12_wide_constants.py out/*.expand

Prints one line per miscompiled constant (dump, function, value, source line of the copy)
and a count; exits 1 if it found any. Compile with -mmove-max=128 -mstore-max=128 and the
count is 0.
"""
import pathlib
import re
import sys

WORDS = {"OI": 4, "XI": 8}
SET_FROM_BROADCAST = re.compile(
    r"\(set \(reg:(OI|XI) \d+\)\s+\(subreg:(?:OI|XI) \(reg:V\w+ \d+\) 0\)\)\s+\"([^\"]+)\":(\d+):\d+[^\n]*\n"
    r"\s+\(expr_list:REG_EQUAL \(const_wide_int 0x([0-9a-f]+)\)"
)


def main(paths):
    hits = 0
    for path in paths:
        text = pathlib.Path(path).read_text(errors="replace")
        for m in SET_FROM_BROADCAST.finditer(text):
            mode, source, line, value = m.groups()
            stored = (len(value) + 15) // 16
            if stored >= WORDS[mode]:
                continue  # a complete constant: a true broadcast
            hits += 1
            at = text.rfind(";; Function ", 0, m.start())
            function = text[at + 12 : text.index("\n", at)].split(" (")[0] if at >= 0 else "?"
            print(f"{path}: in {function}: {mode} constant 0x{value} ({stored} of {WORDS[mode]} words), copy at {source}:{line}")
    print(f"{hits} miscompiled wide constant(s) in {len(paths)} dump(s)")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
