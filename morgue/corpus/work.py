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

import pyarrow as pa
import pyarrow.json as pa_json

from morgue.corpus.formats import SCHEMA
from morgue.corpus.records import Piece, members, parse
from morgue.corpus.rows import COLUMNS, row

#: the columns export takes from the catalogue rather than from the record (derived there once)
DERIVED = ("site", "story", "page_kind", "version", "generation", "word_count", "text_hash")
_LOCATION = ("text_key", "text_offset", "text_length")
_RAW = pa.schema([f for f in SCHEMA if f.name not in (*DERIVED, *_LOCATION)])
_PARSE = pa_json.ParseOptions(explicit_schema=_RAW, unexpected_field_behavior="ignore")


def read_table(piece: Piece) -> tuple[pa.Table, int]:
    """The wanted records of ``piece`` as a table of ``SCHEMA``, and how many could not be read."""
    found, bad = members(piece)
    if len(found) == len(piece.offsets) and found:
        lines = b"".join(m.data if m.data.endswith(b"\n") else m.data + b"\n" for m in found)
        try:
            raw = pa_json.read_json(io.BytesIO(lines), parse_options=_PARSE,
                                    read_options=pa_json.ReadOptions(use_threads=False, block_size=len(lines) + 1))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raw = None
        if raw is not None and raw.num_rows == len(found):
            columns = {name: raw[name] for name in _RAW.names}
            columns.update({name: pa.array(piece.derived[name], SCHEMA.field(name).type) for name in DERIVED})
            columns["text_key"] = pa.array([piece.key] * len(found), pa.string())
            columns["text_offset"] = pa.array([m.offset for m in found], pa.int64())
            columns["text_length"] = pa.array([m.length for m in found], pa.int64())
            return pa.table([columns[name] for name in SCHEMA.names], schema=SCHEMA), bad
    return _python_rows(piece, found, bad)


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
