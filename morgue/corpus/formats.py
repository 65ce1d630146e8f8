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
import pyarrow.parquet as pq

from morgue.corpus.rows import SCHEMA

FORMATS = ("parquet", "jsonl", "csv")
PARTITIONS = ("site", "month")
ROW_GROUP_ROWS = 50_000
ROW_GROUP_BYTES = 32 << 20
BUFFER_BYTES = 96 << 20  # all partitions together; the largest buffer is written out past it
_EXT = {"parquet": "parquet", "jsonl": "jsonl", "csv": "csv"}


def partition_value(row: dict, by: str) -> str:
    if by == "site":
        value = row.get("site") or "unknown"
    else:
        value = (row.get("published") or "")[:7] or (row.get("fetched_at") or "")[:7] or "unknown"
    # A value ends up in a folder name: keep it to one safe path segment.
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in value) or "unknown"


class _Part:
    """One output file and its buffered rows."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema):
        self.path = path
        self.fmt = fmt
        self.schema = schema
        self.rows: list[dict] = []
        self.bytes = 0
        self._parquet: pq.ParquetWriter | None = None
        self._text: TextIO | None = None
        self._csv: csv.DictWriter | None = None
        self.count = 0

    def add(self, row: dict) -> int:
        self.rows.append(row)
        size = len(row.get("text") or "") + 512
        self.bytes += size
        return size

    def flush(self) -> int:
        """Write the buffered rows out; returns the bytes freed."""
        if not self.rows:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.fmt == "parquet":
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, self.schema, compression="zstd")
            self._parquet.write_table(pa.Table.from_pylist(self.rows, schema=self.schema),
                                      row_group_size=len(self.rows))
        else:
            if self._text is None:
                self._text = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in close())
            if self.fmt == "jsonl":
                names = self.schema.names
                self._text.writelines(
                    json.dumps({n: r.get(n) for n in names}, ensure_ascii=False) + "\n" for r in self.rows)
            else:
                if self._csv is None:
                    self._csv = csv.DictWriter(self._text, fieldnames=self.schema.names, extrasaction="ignore")
                    self._csv.writeheader()
                for r in self.rows:
                    self._csv.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                                        for k, v in r.items()})
        self.count += len(self.rows)
        freed, self.rows, self.bytes = self.bytes, [], 0
        return freed

    def close(self) -> None:
        self.flush()
        if self._parquet is not None:
            self._parquet.close()
        if self._text is not None:
            self._text.close()


class CorpusWriter:
    """Writes rows to ``out/corpus.<ext>``, or ``out/<by>=<value>/corpus.<ext>`` when partitioned."""

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
        names = [n for n in SCHEMA.names if n != partition]
        self.schema = pa.schema([SCHEMA.field(n) for n in names])
        self.parts: dict[str, _Part] = {}
        self.buffered = 0
        self.rows = 0

    def _part(self, row: dict) -> _Part:
        value = partition_value(row, self.partition) if self.partition else ""
        part = self.parts.get(value)
        if part is None:
            folder = self.out / f"{self.partition}={value}" if self.partition else self.out
            part = self.parts[value] = _Part(folder / f"corpus.{_EXT[self.fmt]}", self.fmt, self.schema)
        return part

    def write(self, row: dict) -> None:
        part = self._part(row)
        self.buffered += part.add(row)
        self.rows += 1
        if len(part.rows) >= self.row_group_rows or part.bytes >= ROW_GROUP_BYTES:
            self.buffered -= part.flush()
        if self.buffered > BUFFER_BYTES:
            largest = max(self.parts.values(), key=lambda p: p.bytes)
            self.buffered -= largest.flush()

    def close(self) -> list[Path]:
        for part in self.parts.values():
            part.close()
        return sorted(p.path for p in self.parts.values())
