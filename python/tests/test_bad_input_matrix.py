"""The bad-input matrix (docs/bad-input-matrix.md) cannot drift from the code: the page is
regenerated here and compared with the committed one, and the error policies of DESIGN.md
and the README's "Conventions" are checked over every cell of the matrix, on the raw
results (exception objects and values), independently of the page's text.

Where the library breaks a policy today, the cell is listed below with the reason; each
check compares the cells it finds with its list, so a fix shows up as a failure too (as
a strict xfail would) and the list shrinks with the fixes.

The matrix itself (inputs, calls, descriptions) lives in bad_input_matrix.py, which
scripts/bad_input_matrix.py also imports.
"""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bad_input_matrix as matrix  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(ROOT, "docs", "bad-input-matrix.md")

DESERIALISERS = {r.name for r in matrix.ROWS if r.group == "Deserialisers"}

# Policy breaches the library has today: (row name, column) -> why.
KNOWN_SILENT_EMPTY: dict = {}
KNOWN_LAYOUT: dict = {}
KNOWN_UNNAMED_DTYPE: dict = {}


@pytest.fixture(scope="module")
def cells():
    return matrix.run_matrix()


def applied(cells, column=None):
    return [c for c in cells if c.applies and (column is None or c.column == column)]


def test_the_page_is_what_the_library_does_now(cells):
    with open(PAGE, encoding="utf-8") as f:
        committed = f.read()
    assert matrix.render(cells) == committed, f"docs/bad-input-matrix.md is stale: run {matrix.REGENERATE}"


def test_every_row_has_a_valid_cell_that_succeeds(cells):
    """A row whose ordinary input fails would make every other cell of it meaningless."""
    failing = [c.row.name for c in applied(cells, "valid") if c.raised]
    assert failing == []


def test_no_cell_is_a_crash_or_an_unexpected_exception(cells):
    """Bad input gives ValueError (std::invalid_argument / domain_error) or TypeError (wrong
    types); never MemoryError (a forged size that was allocated), SystemError, IndexError or
    anything else. A crash or a hang would not get this far."""
    odd = [(c.row.name, c.column, type(c.result).__name__) for c in applied(cells)
           if c.raised and type(c.result) not in (ValueError, TypeError)]
    assert odd == []


def test_nan_raises_under_the_default_nan_policy(cells):
    """DESIGN.md: nan_policy is 'raise' by default, and the error says NaN."""
    quiet = [(c.row.name, c.text) for c in applied(cells, "nan")
             if c.row.takes_nan_policy() and not (isinstance(c.result, ValueError) and "NaN" in str(c.result))]
    assert quiet == []


def test_empty_input_raises_unless_its_value_is_documented(cells):
    """DESIGN.md: empty inputs throw. The exceptions are accumulators and constructors, for
    which an empty input is an ordinary no-op; each such row says what it gives."""
    silent = {(c.row.name, c.column) for c in applied(cells, "empty") if not c.raised and c.row.empty is None}
    assert silent == set(KNOWN_SILENT_EMPTY)


def test_forged_bytes_raise_value_error(cells):
    """A forged size field is refused before anything is allocated (README, Adversarial input)."""
    forged = applied(cells, "forged")
    assert {c.row.name for c in forged} == DESERIALISERS
    accepted = [(c.row.name, c.text) for c in forged if not isinstance(c.result, ValueError)]
    assert accepted == []


@pytest.mark.parametrize("column", ["complex", "str"])
def test_wrong_dtype_names_the_parameter(cells, column):
    """Non-numeric dtypes raise TypeError or ValueError whose message names the argument.
    (A deserialiser reads any bytes-like object, so a numpy array of another dtype is read
    as its bytes; only str is wrong there.)"""
    unnamed = set()
    for c in applied(cells, column):
        if c.row.name in DESERIALISERS and column != "str":
            continue
        named = isinstance(c.result, (TypeError, ValueError)) and re.search(
            rf"(?<!\w){re.escape(c.row.parameter())}(?!\w)", str(c.result))
        if not named:
            unnamed.add((c.row.name, c.column))
    assert unnamed == {k for k in KNOWN_UNNAMED_DTYPE if k[1] == column}


def test_non_contiguous_input_gives_the_valid_outcome(cells):
    """The bindings convert strided and reversed arrays (README, Python conventions): the
    same values in another layout give the same outcome, never the poison between them."""
    valid = {c.row.name: c.text for c in applied(cells, "valid")}
    differ = {(c.row.name, c.column) for c in applied(cells, "strided") if c.text != valid[c.row.name]}
    assert differ == set(KNOWN_LAYOUT)


def test_documented_ranges_hold(cells):
    """Where a function is documented to return a value in [0, 1], no input gives another."""
    outside = [(c.row.name, c.column, c.text) for c in applied(cells) if "outside [" in c.text]
    assert outside == []


def test_outcomes_carry_no_digits_of_results(cells):
    """Result classes only: digits of computed values differ between AVX-512 and AVX2 builds
    (messages may quote the inputs, which are the same everywhere)."""
    numeric = [(c.row.name, c.column, c.text) for c in applied(cells)
               if not c.raised and re.search(r"\d\.\d|e[+-]\d", c.text)]
    assert numeric == []
