"""A rotating ``.warc.gz`` file in the spool: warcinfo first, one gzip member per record.

Knows nothing of Scrapy. Files are named after the IIPC convention
``PREFIX-TIMESTAMP-SERIAL-PID~HOST.warc.gz`` so that any number of writers,
on any number of machines, never pick the same name.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from morgue.spool import Spool, SpoolFile
from morgue.warc.records import warcinfo_record

_serial = itertools.count()


def archive_name(prefix: str, ext: str, when: datetime | None = None) -> str:
    """A unique IIPC-style file name; ``ext`` is ``warc.gz`` or ``jsonl.gz``."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    host = socket.gethostname().replace("-", "_").replace("/", "_") or "localhost"
    return f"{prefix}-{stamp}-{next(_serial):05d}-{os.getpid()}~{host}.{ext}"


@dataclass(frozen=True)
class RecordLocation:
    """Where a record landed: enough to read it back with one ranged read."""

    filename: str
    offset: int
    length: int


class RotatingWarcWriter:
    def __init__(
        self,
        spool: Spool,
        *,
        prefix: str = "MORGUE",
        max_size: int = 1_000_000_000,
        info: dict[str, str] | None = None,
        on_finish: Callable[[Path], None] | None = None,
    ):
        self.spool = spool
        self.prefix = prefix
        self.max_size = max_size
        self.info = info or {}
        self.on_finish = on_finish
        self._file: SpoolFile | None = None
        self._writer: WARCWriter | None = None
        self.records_written = 0
        self.bytes_written = 0
        self.files_finished = 0

    def _open(self) -> None:
        self._file = self.spool.create(archive_name(self.prefix, "warc.gz"))
        self._writer = WARCWriter(self._file.file, gzip=True, warc_version="1.0")
        self._writer.write_record(warcinfo_record(self._file.name, self.info))

    def write(self, *records: ArcWarcRecord) -> list[RecordLocation]:
        """Write records together into one file; rotates first if the file is full."""
        if self._file is not None and self._file.tell() >= self.max_size:
            self.finish()
        if self._file is None:
            self._open()
        assert self._file is not None and self._writer is not None
        locations = []
        for record in records:
            start = self._file.tell()
            self._writer.write_record(record)
            end = self._file.tell()
            locations.append(RecordLocation(self._file.name, start, end - start))
            self.bytes_written += end - start
        self.records_written += len(records)
        # Hand the bytes to the kernel: a killed process loses nothing written.
        self._file.file.flush()
        return locations

    def finish(self) -> Path | None:
        """Close the current file and move it to the spool's ``ready/``."""
        if self._file is None:
            return None
        path = self._file.finish()
        self._file = self._writer = None
        self.files_finished += 1
        if self.on_finish:
            self.on_finish(path)
        return path

    @property
    def current_name(self) -> str | None:
        return self._file.name if self._file else None
