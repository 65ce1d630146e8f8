"""Rotating ``.warc.gz`` files: warcinfo first, one gzip member per record.

Knows nothing of Scrapy or of the spool: records are serialised here and
handed to ``morgue.store.rotation.RotatingFile``, which writes them into
whatever file its factory opens.
"""

from __future__ import annotations

from io import BytesIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

from morgue.store.rotation import FileFactory, RecordLocation, RotatingFile
from morgue.warc.records import warcinfo_record


def record_bytes(record: ArcWarcRecord) -> bytes:
    """One record as the gzip member it is stored as."""
    out = BytesIO()
    WARCWriter(out, gzip=True, warc_version="1.0").write_record(record)
    return out.getvalue()


class RotatingWarcWriter:
    def __init__(self, open_file: FileFactory, *, prefix: str = "MORGUE", max_size: int = 1_000_000_000,
                 info: dict[str, str] | None = None):
        self.info = info or {}
        self.file = RotatingFile(open_file, prefix=prefix, ext="warc.gz", max_size=max_size,
                                 header=lambda name: record_bytes(warcinfo_record(name, self.info)))

    def write(self, *records: ArcWarcRecord) -> list[RecordLocation]:
        """Write records together into one file; rotates first if the file is full."""
        return self.file.write(*(record_bytes(r) for r in records))

    def finish(self) -> object | None:
        """Close the current file and hand it on (into the spool's ``ready/``)."""
        return self.file.finish()

    @property
    def files_finished(self) -> int:
        return self.file.files_finished
