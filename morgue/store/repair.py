"""Cut a file of gzip members back to its last complete member.

Every WARC record and every text record is written as a gzip member of its
own, so a file a crash interrupted is valid again once the torn member at its
end is cut off: all that was completely written survives.
"""

from __future__ import annotations

import os
import zlib
from typing import BinaryIO

_CHUNK = 1 << 16


def complete_members_end(f: BinaryIO) -> int:
    """The offset just past the last complete gzip member, reading the file in chunks."""
    f.seek(0)
    good_end = 0  # end of the last member that decompressed to its trailer
    member_start = 0
    pos = 0  # offset of the first byte not yet fed to a decompressor
    d = zlib.decompressobj(wbits=31)
    pending = b""
    while True:
        data = pending or f.read(_CHUNK)
        pending = b""
        if not data:
            return good_end
        try:
            d.decompress(data, 0)
        except zlib.error:
            return good_end
        if d.eof:
            used = len(data) - len(d.unused_data)
            good_end = member_start = pos + used
            pos = member_start
            pending = d.unused_data
            d = zlib.decompressobj(wbits=31)
            if not pending:
                # next member starts at the next read; nothing buffered
                continue
        else:
            pos += len(data)


def repair_gzip_members(f: BinaryIO) -> tuple[int, int]:
    """Truncate ``f`` (opened r+b) after its last complete member; returns (kept, dropped) bytes."""
    size = os.fstat(f.fileno()).st_size
    end = complete_members_end(f)
    if end < size:
        f.truncate(end)
        f.flush()
        os.fsync(f.fileno())
    return end, size - end
