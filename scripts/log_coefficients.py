#!/usr/bin/env python3
"""Coefficients of the polynomial in collapsekit's vector log (include/collapsekit/simd/log.hpp).

For m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f) and z = s^2,
    log m = 2 atanh(s) = 2 s + s z P(z),   P(z) = 2/3 + 2 z/5 + 2 z^2/7 + ...
The kernel evaluates P by a polynomial of degree DEGREE that interpolates it at the
Chebyshev nodes of [0, z_max] (close to the minimax polynomial), computed here in 60-digit
arithmetic and printed as hexadecimal doubles. The script also prints the largest error of
s z P(z) relative to log m over a fine grid, to show the truncation is far below an ulp.

    python3 scripts/log_coefficients.py [DEGREE]
"""
import sys

import mpmath as mp

mp.mp.dps = 60
DEGREE = int(sys.argv[1]) if len(sys.argv) > 1 else 6
s_max = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)  # s at m = sqrt(2); |s| is smaller at m = sqrt(1/2)
z_max = s_max**2


def P(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) - 2 * s) / (s * z)


n = DEGREE + 1
nodes = [z_max / 2 * (1 - mp.cos(mp.pi * (2 * k + 1) / (2 * n))) for k in range(n)]
A = mp.matrix([[z**j for j in range(n)] for z in nodes])
c = mp.lu_solve(A, mp.matrix([P(z) for z in nodes]))
coeffs = [float(c[j]) for j in range(n)]
for j, v in enumerate(coeffs):
    print(f"c{j} = {v.hex()}  // {v!r}")

worst = mp.mpf(0)
for k in range(1, 2001):
    m = mp.sqrt(mp.mpf(1) / 2) + (mp.sqrt(2) - mp.sqrt(mp.mpf(1) / 2)) * k / 2001
    f = m - 1
    s = f / (2 + f)
    z = s * s
    approx = sum(mp.mpf(coeffs[j]) * z**j for j in range(n))
    err = abs(s * z * (approx - P(z)) / mp.log(m)) if m != 1 else 0
    worst = max(worst, err)
print(f"largest relative error of the truncation: {mp.nstr(worst, 3)} = 2^{mp.nstr(mp.log(worst, 2), 4)}")
