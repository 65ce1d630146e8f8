"""Archive file names and the store keys made from them.

Names follow the IIPC convention ``PREFIX-TIMESTAMP-SERIAL-PID~HOST.ext`` so
that any number of writers, on any number of machines, never pick the same
name; keys are built from those names only, never from page URLs.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
from datetime import datetime, timezone

_serial = itertools.count()

#: <prefix>-<17-digit UTC timestamp>-<serial>-<pid>~<host>.(warc|jsonl).gz
_NAME_RE = re.compile(r"-(\d{4})(\d{2})(\d{2})\d{9}-\d{5}-[^/]*\.(warc|jsonl)\.gz$")
_KINDS = {"warc": "warc", "jsonl": "text"}


def archive_name(prefix: str, ext: str, when: datetime | None = None) -> str:
    """A unique IIPC-style file name; ``ext`` is ``warc.gz`` or ``jsonl.gz``."""
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    host = socket.gethostname().replace("-", "_").replace("/", "_") or "localhost"
    return f"{prefix}-{stamp}-{next(_serial):05d}-{os.getpid()}~{host}.{ext}"


def key_for(name: str) -> str:
    """The store key of an archive file: ``warc/YYYY/MM/DD/<name>`` or ``text/YYYY/MM/DD/<name>``."""
    m = _NAME_RE.search(name)
    if not m or "/" in name:
        raise ValueError(f"not a morgue archive file name: {name!r}")
    year, month, day, ext = m.groups()
    return f"{_KINDS[ext]}/{year}/{month}/{day}/{name}"
