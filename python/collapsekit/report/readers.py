"""Input readers for `collapsekit report` / `collapsekit profile`.

Numbers: .npy (1-D, or 2-D: one column per column of the array), .csv / .tsv (a header row
is recognised when its fields are not all numbers; every numeric column by default, or
the ones --column names), or one value per line. Text: one document per line, or .jsonl
with one JSON object per line and the document in --field (default "text"). Any of
these may be gzip-compressed (recognised by its magic bytes, whatever the name); "-" reads
standard input. --type overrides the detection.

Every problem with an input raises InputError with one line naming the file, the line
(or array index) and what is wrong; the command prints it and exits with status 2.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

TYPES = ("auto", "numbers", "text")


class InputError(Exception):
    """A problem with an input file: one line, naming the file, the line and the problem."""


@dataclass
class Dataset:
    path: str  # as given ("-" for standard input)
    sha256: str  # of the bytes as read (compressed bytes for gzip)
    size_bytes: int
    kind: str  # "numbers" or "text"
    format: str  # npy, csv, tsv, lines, text, jsonl (+ ".gz")
    columns: Dict[str, np.ndarray] = field(default_factory=dict)  # numbers
    matrix: Optional[np.ndarray] = None  # numbers with 2+ columns: rows x columns
    documents: List[str] = field(default_factory=list)  # text
    profile: Optional[dict] = None  # set when read from a .ckprofile

    def describe(self) -> dict:
        d = {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.size_bytes,
            "type": self.kind,
            "format": self.format,
        }
        if self.kind == "numbers":
            d["columns"] = {name: int(v.size) for name, v in self.columns.items()}
        else:
            d["documents"] = len(self.documents) if self.profile is None else self.profile["documents"]
        if self.profile is not None:
            d["profile"] = True
        return d


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None


def _name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"{_name(path)}:{line}: not UTF-8 text (byte {e.start})") from None


def _parse_float(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def _finite_check(values: np.ndarray, where) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(f"{where(i)}: {values[i]!r} is not a finite number")


def _lines_numbers(text: str, path: str) -> Dict[str, np.ndarray]:
    lines = text.split("\n")
    keep = [i for i, line in enumerate(lines) if line.strip()]
    if not keep:
        raise InputError(f"{_name(path)}: no values (the file is empty)")
    try:
        values = np.array([lines[i] for i in keep], dtype=np.float64)
    except ValueError:
        for i in keep:
            if _parse_float(lines[i]) is None:
                raise InputError(f"{_name(path)}:{i + 1}: {lines[i].strip()[:40]!r} is not a number") from None
        raise
    _finite_check(values, lambda k: f"{_name(path)}:{keep[k] + 1}")
    return {"value": values}


def _table_numbers(text: str, path: str, delimiter: str, columns: Optional[Sequence[str]]) -> Dict[str, np.ndarray]:
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    numbered = [(i + 1, r) for i, r in enumerate(rows) if r and any(f.strip() for f in r)]
    if not numbered:
        raise InputError(f"{_name(path)}: no rows (the file is empty)")
    first_line, first = numbered[0]
    has_header = any(_parse_float(f) is None for f in first)
    if has_header:
        names = [f.strip() for f in first]
        body = numbered[1:]
    else:
        names = [f"column{j}" for j in range(len(first))]
        body = numbered
    if not body:
        raise InputError(f"{_name(path)}: a header but no data rows")
    width = len(names)
    for line, r in body:
        if len(r) != width:
            raise InputError(f"{_name(path)}:{line}: {len(r)} fields where the header has {width}")
    if columns:
        wanted = []
        for c in columns:
            if c in names:
                wanted.append(names.index(c))
            elif c.isdigit() and int(c) < width:
                wanted.append(int(c))
            else:
                raise InputError(f"{_name(path)}: no column {c!r} (columns: {', '.join(names)})")
        strict = True
    else:
        wanted = list(range(width))
        strict = False
    out: Dict[str, np.ndarray] = {}
    for j in wanted:
        cells = [r[j] for _, r in body]
        try:
            values = np.array(cells, dtype=np.float64)
        except ValueError:
            if not strict:
                continue  # a non-numeric column is left out unless --column asks for it
            for line, r in body:
                if _parse_float(r[j]) is None:
                    what = "an empty field" if not r[j].strip() else f"{r[j].strip()[:40]!r} is not a number"
                    raise InputError(f"{_name(path)}:{line}: column {names[j]!r}: {what}") from None
            raise
        _finite_check(values, lambda k, j=j: f"{_name(path)}:{body[k][0]}: column {names[j]!r}")
        out[names[j]] = values
    if not out:
        raise InputError(f"{_name(path)}: no numeric column (use --column, or --type text)")
    return out


def _npy_numbers(data: bytes, path: str) -> Dict[str, np.ndarray]:
    try:
        a = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise InputError(f"{_name(path)}: not a readable .npy file ({str(e).splitlines()[0][:80]})") from None
    if not isinstance(a, np.ndarray):
        raise InputError(f"{_name(path)}: not a single array")
    if a.dtype.kind not in "biuf":
        raise InputError(f"{_name(path)}: dtype {a.dtype} is not numeric")
    if a.ndim not in (1, 2) or a.size == 0:
        raise InputError(f"{_name(path)}: needs a non-empty 1-D or 2-D array (got shape {a.shape})")
    a = a.astype(np.float64, copy=False)
    if a.ndim == 1:
        _finite_check(a, lambda i: f"{_name(path)}: index {i}")
        return {"value": np.ascontiguousarray(a)}
    out = {}
    for j in range(a.shape[1]):
        col = np.ascontiguousarray(a[:, j])
        _finite_check(col, lambda i, j=j: f"{_name(path)}: row {i}, column {j}")
        out[f"column{j}"] = col
    return out


def _text_lines(text: str) -> List[str]:
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def _jsonl_documents(text: str, path: str, field_name: str) -> List[str]:
    docs = []
    for i, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{_name(path)}:{i + 1}: not valid JSON ({e.msg})") from None
        if not isinstance(obj, dict) or field_name not in obj:
            raise InputError(f"{_name(path)}:{i + 1}: no field {field_name!r} (use --field)")
        value = obj[field_name]
        if not isinstance(value, str):
            raise InputError(f"{_name(path)}:{i + 1}: field {field_name!r} is not a string")
        docs.append(value)
    return docs


def _looks_numeric(text: str) -> bool:
    """Numbers when at least 90 % of the first 2000 non-empty lines are numbers, so that a
    column of numbers with a few bad lines is read as numbers and the bad lines are named."""
    lines = [line for line in text.split("\n", 2001)[:2000] if line.strip()]
    good = sum(_parse_float(line) is not None for line in lines)
    return bool(lines) and good >= 0.9 * len(lines)


def read_dataset(path: str, kind: str = "auto", columns: Optional[Sequence[str]] = None, field_name: str = "text",
                 stdin_data: Optional[bytes] = None) -> Dataset:
    """Reads one input (a path or "-") into a Dataset; InputError on any problem."""
    data = stdin_data if (path == "-" and stdin_data is not None) else _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    size = len(data)
    name = "" if path == "-" else path.lower()
    compressed = data[:2] == b"\x1f\x8b"
    if compressed:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise InputError(f"{_name(path)}: broken gzip data ({e})") from None
        if name.endswith(".gz"):
            name = name[:-3]
    elif name.endswith(".gz"):
        raise InputError(f"{_name(path)}: named .gz but not gzip data")
    suffix = "gz" if compressed else ""

    def fmt(f: str) -> str:
        return f + (".gz" if suffix else "")

    if data[:6] == b"\x93NUMPY" or (name.endswith(".npy") and kind != "text"):
        if kind == "text":
            raise InputError(f"{_name(path)}: a .npy array cannot be read as text")
        return Dataset(path, digest, size, "numbers", fmt("npy"), columns=_npy_numbers(data, path))
    if name.endswith(".ckprofile"):
        raise InputError(f"{_name(path)}: a profile can only be the reference")
    text = _decode(data, path)
    if text.startswith("\ufeff"):
        text = text[1:]
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        if kind == "numbers":
            raise InputError(f"{_name(path)}: a JSON-lines file cannot be read as numbers")
        docs = _jsonl_documents(text, path, field_name)
        if not docs:
            raise InputError(f"{_name(path)}: no documents (the file is empty)")
        return Dataset(path, digest, size, "text", fmt("jsonl"), documents=docs)
    if (name.endswith(".csv") or name.endswith(".tsv")) and kind != "text":
        delim = "\t" if name.endswith(".tsv") else ","
        return Dataset(path, digest, size, "numbers", fmt(name[-3:]),
                       columns=_table_numbers(text, path, delim, columns))
    if kind == "numbers" or (kind == "auto" and _looks_numeric(text)):
        if columns:
            raise InputError(f"{_name(path)}: --column needs a .csv or .tsv file")
        return Dataset(path, digest, size, "numbers", fmt("lines"), columns=_lines_numbers(text, path))
    docs = _text_lines(text)
    if not docs:
        raise InputError(f"{_name(path)}: no documents (the file is empty)")
    return Dataset(path, digest, size, "text", fmt("text"), documents=docs)


def finish_numbers(ds: Dataset) -> Dataset:
    """Sets ds.matrix for a numbers dataset with 2+ columns of equal length (rows)."""
    cols = list(ds.columns.values())
    if len(cols) >= 2 and len({c.size for c in cols}) == 1:
        ds.matrix = np.ascontiguousarray(np.column_stack(cols))
    return ds
