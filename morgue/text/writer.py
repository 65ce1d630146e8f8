"""A rotating ``.jsonl.gz`` file of text records in the spool, one gzip member per record.

One member per record costs a little compression and buys what the WARC side
has: a crash loses at most the record being written, and ``morgue.repair``
makes the file whole again.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from morgue.spool import Spool, SpoolFile
from morgue.warc.writer import archive_name


def gzip_member(data: bytes, level: int = 6) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


class RotatingTextWriter:
    def __init__(self, spool: Spool, *, prefix: str = "MORGUE", max_size: int = 100_000_000):
        self.spool = spool
        self.prefix = prefix
        self.max_size = max_size
        self._file: SpoolFile | None = None
        self.records_written = 0
        self.files_finished = 0

    def write(self, record: dict) -> str:
        """Append one record; returns the name of the file it went to."""
        if self._file is not None and self._file.tell() >= self.max_size:
            self.finish()
        if self._file is None:
            self._file = self.spool.create(archive_name(self.prefix, "jsonl.gz"))
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._file.file.write(gzip_member(line.encode("utf-8")))
        self._file.file.flush()
        self.records_written += 1
        return self._file.name

    def finish(self) -> Path | None:
        if self._file is None:
            return None
        path = self._file.finish()
        self._file = None
        self.files_finished += 1
        return path
