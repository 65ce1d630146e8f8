"""Writing export rows: Parquet (pyarrow), JSON Lines or CSV, optionally in hive partitions.

Rows arrive one at a time and are buffered per partition up to a row group
(``ROW_GROUP_ROWS`` rows or ``ROW_GROUP_BYTES`` of text, whichever comes first), so
memory stays at a few row groups however large the export. Partitioned output is
``site=<host>/`` or ``month=<YYYY-MM>/`` folders (the month of publication, else of
fetching), the layout pandas, Polars, DuckDB and Hugging Face ``datasets`` read as a
dataset; the partition column lives in the path, not in the files.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from morgue.corpus.rows import FIELDS

FORMATS = ("parquet", "jsonl", "csv")
PARTITIONS = ("site", "month")
ROW_GROUP_ROWS = 50_000
ROW_GROUP_BYTES = 16 << 20
BUFFER_BYTES = 48 << 20  # all partitions together; the largest buffer is written out past it
_EXT = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}
_TYPES = {"str": pa.string(), "int": pa.int64(), "list": pa.list_(pa.string())}
#: the declared schema of every export
SCHEMA = pa.schema([(name, _TYPES[kind]) for name, kind in FIELDS.items()])
#: columns worth a dictionary (few distinct values); texts and URLs are not, and trying costs time
DICTIONARY = ["site", "sitename", "language", "page_kind", "published_source", "discovered_via", "extractor",
              "author", "tags", "categories"]
#: min/max statistics where a reader filters (dates, sites, numbers), not on long texts
STATISTICS = ["site", "published", "fetched_at", "language", "page_kind", "word_count", "version", "warc_offset",
              "text_offset"]


def _safe(value: str | None) -> str:
    """A partition value as one safe path segment."""
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in value or "") or "unknown"


def partition_values(table: pa.Table, by: str) -> pa.Array:
    if by == "site":
        return pc.fill_null(table["site"], "").combine_chunks()
    published = pc.utf8_slice_codeunits(pc.fill_null(table["published"], ""), 0, 7)
    fetched = pc.utf8_slice_codeunits(pc.fill_null(table["fetched_at"], ""), 0, 7)
    return pc.if_else(pc.equal(published, ""), fetched, published).combine_chunks()


class _Part:
    """One output file and its buffered tables."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema):
        self.path = path
        self.fmt = fmt
        self.schema = schema
        self.tables: list[pa.Table] = []
        self.rows = 0
        self.bytes = 0
        self._parquet: pq.ParquetWriter | None = None
        self._text: TextIO | None = None
        self._csv = None

    def add(self, table: pa.Table) -> int:
        self.tables.append(table)
        self.rows += table.num_rows
        self.bytes += table.nbytes
        return table.nbytes

    def flush(self) -> int:
        """Write the buffered rows out as one row group; returns the bytes freed."""
        if not self.tables:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.concat_tables(self.tables).select(self.schema.names)
        if self.fmt == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, self.schema, compression="zstd",
                                                 use_dictionary=DICTIONARY, write_statistics=STATISTICS)
            self._parquet.write_table(table, row_group_size=table.num_rows)
        else:
            if self._text is None:
                self._text = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in close())
            names = self.schema.names
            rows = table.to_pylist()
            if self.fmt == "jsonl":
                self._text.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            else:
                if self._csv is None:
                    self._csv = csv.writer(self._text)
                    self._csv.writerow(names)
                self._csv.writerows([json.dumps(r[n], ensure_ascii=False) if isinstance(r[n], list) else r[n]
                                     for n in names] for r in rows)
        freed, self.tables, self.rows, self.bytes = self.bytes, [], 0, 0
        return freed

    def close(self) -> None:
        self.flush()
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            self._text.close()


class CorpusWriter:
    """Writes tables of ``SCHEMA`` to ``out/corpus.<ext>``, or ``out/<by>=<value>/corpus.<ext>`` when partitioned."""

    def __init__(self, out: Path, fmt: str = "parquet", partition: str | None = None,
                 row_group_rows: int = ROW_GROUP_ROWS):
        if fmt not in FORMATS:
            raise ValueError(f"invalid format {fmt!r}: use one of {', '.join(FORMATS)}")
        if partition not in (None, *PARTITIONS):
            raise ValueError(f"invalid partition {partition!r}: use site or month")
        self.out = out
        self.fmt = fmt
        self.partition = partition
        self.row_group_rows = row_group_rows
        self.schema = pa.schema([f for f in SCHEMA if f.name != partition])
        self.parts: dict[str, _Part] = {}
        self.buffered = 0
        self.rows = 0

    def _part(self, value: str) -> _Part:
        part = self.parts.get(value)
        if part is None:
            folder = self.out / f"{self.partition}={value}" if self.partition else self.out
            part = self.parts[value] = _Part(folder / f"corpus.{_EXT[self.fmt]}", self.fmt, self.schema)
        return part

    def write_table(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.rows += table.num_rows
        if not self.partition:
            self._add("", table)
            return
        values = partition_values(table, self.partition)
        for value in pc.unique(values).to_pylist():
            self._add(_safe(value), table.filter(pc.equal(values, value)))

    def _add(self, value: str, table: pa.Table) -> None:
        part = self._part(value)
        self.buffered += part.add(table)
        if part.rows >= self.row_group_rows or part.bytes >= ROW_GROUP_BYTES:
            self.buffered -= part.flush()
        if self.buffered > BUFFER_BYTES:
            largest = max(self.parts.values(), key=lambda p: p.bytes)
            self.buffered -= largest.flush()

    def close(self) -> list[Path]:
        for part in self.parts.values():
            part.close()
        return sorted(p.path for p in self.parts.values())
