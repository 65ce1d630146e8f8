"""Turning a piece of a text file into rows: what export runs, a few pieces at a time in threads.

The main thread does the store I/O and the writing; a piece is a run of whole gzip members
(a few MB) with the catalogue's values for the records wanted in it. Rows are parsed by
pyarrow's JSON reader against the declared schema (C++, the GIL released, like zlib's
inflate and the Parquet writer), so two threads keep two cores busy without a second
copy of the process. A piece whose records do not fit the schema (a field of an odd type)
is parsed record by record in Python instead, and nothing is lost.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
import pyarrow.json as pa_json

from morgue.corpus.formats import SCHEMA
from morgue.corpus.records import Member, TornFile, iter_members, parse
from morgue.corpus.rows import COLUMNS, row

#: the columns export takes from the catalogue rather than from the record (derived there once)
DERIVED = ("site", "story", "page_kind", "version", "word_count", "text_hash")
_LOCATION = ("text_key", "text_offset", "text_length")
_RAW = pa.schema([f for f in SCHEMA if f.name not in (*DERIVED, *_LOCATION)])
_PARSE = pa_json.ParseOptions(explicit_schema=_RAW, unexpected_field_behavior="ignore")


@dataclass(frozen=True)
class Piece:
    key: str
    offset: int  # of ``data`` in the text file
    offsets: list[int]  # the wanted records' offsets, ascending
    lengths: list[int]  # and their lengths
    derived: dict[str, list] = field(default_factory=dict)  # DERIVED column -> values, aligned with offsets
    data: bytes = b""


def _members(piece: Piece) -> tuple[list, int]:
    """The wanted members, inflated; at the catalogue's offsets (fast), else by walking the piece."""
    view = memoryview(piece.data)
    try:
        return [Member(o, n, zlib.decompress(view[o - piece.offset:o - piece.offset + n], 31))
                for o, n in zip(piece.offsets, piece.lengths, strict=True)], 0
    except zlib.error:
        pass  # the catalogue does not match the file: walk it
    wanted = set(piece.offsets)
    found = []
    try:
        found = [m for m in iter_members(io.BytesIO(piece.data), start=piece.offset) if m.offset in wanted]
    except TornFile:
        return found, 1
    return found, 0


def read_table(piece: Piece) -> tuple[pa.Table, int]:
    """The wanted records of ``piece`` as a table of ``SCHEMA``, and how many could not be read."""
    members, bad = _members(piece)
    if len(members) == len(piece.offsets) and members:
        lines = b"".join(m.data if m.data.endswith(b"\n") else m.data + b"\n" for m in members)
        try:
            raw = pa_json.read_json(io.BytesIO(lines), parse_options=_PARSE,
                                    read_options=pa_json.ReadOptions(use_threads=False, block_size=len(lines) + 1))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raw = None
        if raw is not None and raw.num_rows == len(members):
            columns = {name: raw[name] for name in _RAW.names}
            columns.update({name: pa.array(piece.derived[name], SCHEMA.field(name).type) for name in DERIVED})
            columns["text_key"] = pa.array([piece.key] * len(members), pa.string())
            columns["text_offset"] = pa.array([m.offset for m in members], pa.int64())
            columns["text_length"] = pa.array([m.length for m in members], pa.int64())
            return pa.table([columns[name] for name in SCHEMA.names], schema=SCHEMA), bad
    return _python_rows(piece, members, bad)


def _python_rows(piece: Piece, members: list, bad: int) -> tuple[pa.Table, int]:
    """The slow way, record by record: for a piece pyarrow's reader refused, or with unreadable records."""
    derived = dict(zip(piece.offsets, range(len(piece.offsets)), strict=True))
    cols: dict[str, list] = {name: [] for name in COLUMNS}
    for m in members:
        try:
            r = row(parse(m), piece.key, m.offset, m.length, piece.derived["text_hash"][derived[m.offset]])
        except (ValueError, TypeError):
            bad += 1
            continue
        for name in COLUMNS:
            cols[name].append(r[name])
    return pa.Table.from_pydict(cols, schema=SCHEMA), bad


@cache
def _signer(threshold: float):
    from morgue.corpus.dedup import NearDuplicates

    return NearDuplicates(threshold)


def read_signatures(piece: Piece, threshold: float) -> list[tuple[int, object]]:
    """(offset, MinHash values or None) of each wanted record of ``piece``."""
    signer = _signer(threshold)
    members, _ = _members(piece)
    out = []
    for m in members:
        try:
            text = parse(m).get("text")
        except (ValueError, TypeError):
            continue
        out.append((m.offset, signer.signature(text if isinstance(text, str) else "")))
    return out
