"""Files of whole records, rotated at a size: what the WARC and text writers share.

A writer hands each record over as bytes; ``RotatingFile`` picks the file
(opening a new one past ``max_size``), appends the bytes and says where they
landed. Where a file lives is not its business: it asks an ``open_file``
factory for one by name (the spool's ``create``, or ``StreamFile`` around any
binary file object), so the same writers can write into the spool, a
package member or a stream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from morgue.store.names import archive_name


class ArchiveFile(Protocol):
    """A file being written: append-only, cut back after a failed write, handed on when finished."""

    name: str

    def write(self, data: bytes) -> None: ...

    def tell(self) -> int: ...

    def cut(self, offset: int) -> None:
        """Drop everything from ``offset`` on: a record that failed half-way leaves no torn bytes."""

    def flush(self) -> None: ...

    def finish(self) -> object:
        """The file is complete: close it and hand it on (the spool moves it to ``ready/``)."""


FileFactory = Callable[[str], ArchiveFile]


class StreamFile:
    """``ArchiveFile`` over any seekable binary file object the caller owns (a test, a package member)."""

    def __init__(self, stream: BinaryIO, name: str):
        self.stream = stream
        self.name = name

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def tell(self) -> int:
        return self.stream.tell()

    def cut(self, offset: int) -> None:
        self.stream.seek(offset)
        self.stream.truncate(offset)

    def flush(self) -> None:
        self.stream.flush()

    def finish(self) -> BinaryIO:
        self.stream.flush()
        return self.stream


@dataclass(frozen=True)
class RecordLocation:
    """Where a record landed: enough to read it back with one ranged read."""

    filename: str
    offset: int
    length: int


class RotatingFile:
    """Appends records to the current file, opening a new one (``header`` first) past ``max_size``."""

    def __init__(self, open_file: FileFactory, *, prefix: str, ext: str, max_size: int,
                 header: Callable[[str], bytes] | None = None):
        self.open_file = open_file
        self.prefix = prefix
        self.ext = ext
        self.max_size = max_size
        self.header = header
        self.current: ArchiveFile | None = None
        self.files_finished = 0

    def write(self, *records: bytes) -> list[RecordLocation]:
        """Append ``records`` to one file, all or none; flushed to the kernel before returning."""
        if self.current is not None and self.current.tell() >= self.max_size:
            self.finish()
        if self.current is None:
            f = self.open_file(archive_name(self.prefix, self.ext))
            if self.header is not None:
                f.write(self.header(f.name))
                f.flush()
            self.current = f
        f = self.current
        start = offset = f.tell()
        locations = []
        try:
            for data in records:
                f.write(data)
                locations.append(RecordLocation(f.name, offset, len(data)))
                offset += len(data)
            f.flush()  # a killed process loses nothing written
        except OSError:
            # A full disk or an I/O error must not leave a torn record mid-file.
            try:
                f.cut(start)
            except OSError:
                # Cannot even cut: write no more into it. Once this process lets go of it,
                # the spool's repair cuts the torn record off its end.
                self.current = None
            raise
        return locations

    def finish(self) -> object | None:
        """Close the current file and hand it on; returns what the file's ``finish`` gave."""
        if self.current is None:
            return None
        f, self.current = self.current, None
        done = f.finish()
        self.files_finished += 1
        return done
