"""Rotating ``.jsonl.gz`` files of text records, one gzip member per record.

One member per record costs a little compression and buys what the WARC side
has: a crash loses at most the record being written, and the spool's repair
makes the file whole again.
"""

from __future__ import annotations

import json
import zlib

from morgue.store.rotation import FileFactory, RecordLocation, RotatingFile


def gzip_member(data: bytes, level: int = 6) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def record_line(record: dict) -> bytes:
    """A record as one UTF-8 JSON line; a lone surrogate that got this far becomes ``?``, never an error."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    return line.encode("utf-8", "replace")


class RotatingTextWriter:
    def __init__(self, open_file: FileFactory, *, prefix: str = "MORGUE", max_size: int = 100_000_000):
        self.file = RotatingFile(open_file, prefix=prefix, ext="jsonl.gz", max_size=max_size)

    def write(self, record: dict) -> RecordLocation:
        """Append one record; returns where it went, so that it can be read back with one ranged read."""
        (location,) = self.file.write(gzip_member(record_line(record)))
        return location

    def finish(self) -> object | None:
        return self.file.finish()

    @property
    def files_finished(self) -> int:
        return self.file.files_finished
