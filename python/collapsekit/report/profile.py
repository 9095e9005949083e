"""Reference profiles (.ckprofile): what `report` needs of a reference, saved once.

A profile is a zip archive in numpy's .npz layout holding
  meta      the JSON description (schema collapsekit.profile/1, the source's path, SHA-256,
            size, type and format, the tokenizer setting for text)
  numbers:  col<i>  the values of column i in file order (names in meta["columns"]), so the
            rows of a multi-column input stay rows
  text:     tokens, offsets  the reference corpus as token ids and document offsets
            words            the vocabulary's words (ids 256 onwards), one JSON list
Every measure of the report is a function of the sample (numbers) or of the token corpus
(text), so a report against a profile gives the same numbers as against the raw
reference; no measure is lost. (A profile is as large as the sample: exactness over size.)
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from .. import _core
from .readers import Dataset, InputError

SCHEMA = "collapsekit.profile/1"


def is_profile(path: str) -> bool:
    if path == "-":
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return path.lower().endswith(".ckprofile") or (head == b"PK\x03\x04" and zipfile.is_zipfile(path))


def save_profile(ds: Dataset, out_path: str, lowercase: bool) -> dict:
    meta = {"schema": SCHEMA, "source": ds.describe(), "type": ds.kind}
    arrays = {}
    if ds.kind == "numbers":
        names = list(ds.columns)
        meta["columns"] = names
        for i, name in enumerate(names):
            arrays[f"col{i}"] = ds.columns[name]  # in file order: the rows (sliced W) need it
    else:
        vocab = _core.Vocabulary()
        corpus = _core.Tokenizer(lowercase=lowercase).encode_documents(ds.documents, vocab)
        meta["lowercase"] = bool(lowercase)
        meta["documents"] = len(corpus)
        arrays["tokens"] = np.asarray(corpus.tokens, dtype=np.uint32)
        arrays["offsets"] = np.asarray(corpus.offsets, dtype=np.uint64)
        words = [vocab.token(i) for i in range(_core.Vocabulary.byte_tokens, vocab.size)]
        arrays["words"] = np.frombuffer(json.dumps(words).encode("utf-8"), dtype=np.uint8)
    arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    try:
        with open(out_path, "wb") as f:
            f.write(buf.getvalue())
    except OSError as e:
        raise InputError(f"{out_path}: cannot write the profile ({e.strerror})") from None
    return meta


def load_profile(path: str) -> Dataset:
    try:
        z = np.load(path, allow_pickle=False)
        meta = json.loads(bytes(z["meta"]).decode("utf-8"))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
        raise InputError(f"{path}: not a collapsekit profile (make one with `collapsekit profile`)") from None
    if meta.get("schema") != SCHEMA:
        raise InputError(f"{path}: profile schema {meta.get('schema')!r}, this collapsekit reads {SCHEMA!r}")
    src = meta["source"]
    ds = Dataset(src["path"], src["sha256"], src["bytes"], meta["type"], src["format"])
    ds.profile = meta
    if meta["type"] == "numbers":
        for i, name in enumerate(meta["columns"]):
            ds.columns[name] = np.ascontiguousarray(z[f"col{i}"], dtype=np.float64)
    else:
        meta["tokens"] = np.ascontiguousarray(z["tokens"])
        meta["offsets"] = np.ascontiguousarray(z["offsets"])
        meta["words"] = json.loads(bytes(z["words"]).decode("utf-8"))
    return ds


def corpus_from_profile(meta: dict, vocab):
    """The profile's corpus; fills `vocab` with its words so their ids match the tokens."""
    for i, w in enumerate(meta["words"]):
        got = vocab.add(w)
        if got != _core.Vocabulary.byte_tokens + i:
            raise InputError(f"profile: vocabulary word {w!r} did not get id {_core.Vocabulary.byte_tokens + i}")
    return _core.Corpus.from_arrays(meta["tokens"], meta["offsets"])
