"""Writes the inputs of the report's performance targets (README, "collapsekit report",
Performance), so that anyone can time them the same way:

  DIR/numbers_ref.npy, DIR/numbers_other.npy   1e6 values each: N(0, 1) and N(0.02, 1.05)
  DIR/docs_ref.txt, DIR/docs_other.txt         100 000 documents each, one per line, words
                                               drawn from Zipf(1.1) over a 50 000-word
                                               vocabulary, lengths uniform in 5..35
                                               (other: Zipf(1.2), a little less diverse)

  python3 benchmarks/peers/report_inputs.py DIR
  farm-bench -- collapsekit report DIR/numbers_ref.npy DIR/numbers_other.npy --json /dev/null --html /tmp/r.html

The data are seeded: every run writes the same files.
"""

import sys
from pathlib import Path

import numpy as np


def zipf_documents(rng, docs: int, vocabulary: int, exponent: float):
    ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
    p = ranks ** -exponent
    p /= p.sum()
    lengths = rng.integers(5, 36, size=docs)
    words = rng.choice(vocabulary, size=int(lengths.sum()), p=p)
    out, at = [], 0
    for n in lengths:
        out.append(" ".join(f"w{w}" for w in words[at:at + n]))
        at += n
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = Path(argv[1])
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2026)
    np.save(d / "numbers_ref.npy", rng.normal(0.0, 1.0, size=1_000_000))
    np.save(d / "numbers_other.npy", rng.normal(0.02, 1.05, size=1_000_000))
    for name, exponent in (("docs_ref.txt", 1.1), ("docs_other.txt", 1.2)):
        (d / name).write_text("\n".join(zipf_documents(rng, 100_000, 50_000, exponent)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
