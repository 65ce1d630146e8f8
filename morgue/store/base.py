"""The one interface every archive back-end offers.

Writers never talk to a back-end while they write: files are finished in a
local spool and handed over whole (see ``morgue.spool``). Readers (export,
show, re-extraction, replay) need only listing, ranged reads and streaming.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol


class StoreError(Exception):
    """A store cannot be used; the message is one line naming the store and the cause."""


class Store(Protocol):
    """What a back-end offers; it is made by ``cls.from_uri(uri, **options)`` (see ``morgue.store``)."""

    #: the URI the store was opened from, safe to log (no credentials)
    uri: str

    def check(self) -> None:
        """Raise StoreError unless the store can be written now (run before fetching)."""

    def default_spool(self) -> Path:
        """Where files wait before upload when MORGUE_SPOOL is not set."""

    def put_file(self, path: Path, key: str, sha256: str) -> None:
        """Upload a finished local file under ``key`` and verify it arrived whole.

        Never overwrites: an existing ``key`` raises StoreError. ``sha256`` is the
        hex digest of the file, recorded with the object.
        """

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under ``prefix``, relative to the store root, in lexical order."""

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """``length`` bytes of ``key`` from ``offset``: one WARC record, without the file."""

    def open(self, key: str) -> BinaryIO:
        """A streaming, read-only file object for ``key``."""


def file_sha256(path: Path, bufsize: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(bufsize):
            digest.update(chunk)
    return digest.hexdigest()


def check_key(key: str) -> str:
    """Refuse keys that could escape the store root; keys are built from our own names only."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise StoreError(f"invalid store key {key!r}")
    return key
