"""Text records out of a store, streaming, with where each one lives.

A text file is a series of gzip members, one JSON record each. Reading member by
member (not through ``gzip.GzipFile``) gives each record's offset and length in its
file, which the catalogue keeps so that a later export can fetch just those bytes
with ranged reads; and it keeps memory at one read buffer whatever the file's size.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from morgue.store import Store

TEXT_PREFIX = "text/"
TEXT_SUFFIX = ".jsonl.gz"
READ_SIZE = 1 << 20


@dataclass(frozen=True)
class Member:
    """One record's bytes in its text file, decompressed."""

    offset: int
    length: int
    data: bytes


class TornFile(ValueError):
    """A text file ends inside a gzip member (a crash before repair); the members before it are whole."""


def text_keys(store: Store) -> list[str]:
    """Every text file in the store, in key order (that is, by the day it was opened, then name)."""
    return [k for k in store.list(TEXT_PREFIX) if k.endswith(TEXT_SUFFIX)]


def iter_members(stream: BinaryIO, start: int = 0, read_size: int = READ_SIZE) -> Iterator[Member]:
    """The gzip members of ``stream`` in order, each with its offset (counted from ``start``) and length.

    Raises TornFile after the last whole member if the stream ends inside one.
    """
    d = zlib.decompressobj(31)
    parts: list[bytes] = []
    member_start, fed = start, 0
    while chunk := stream.read(read_size):
        data = chunk
        while data:
            parts.append(d.decompress(data))
            if not d.eof:
                fed += len(data)
                break
            rest = d.unused_data
            fed += len(data) - len(rest)
            yield Member(member_start, fed, b"".join(parts))
            member_start += fed
            fed, parts, data = 0, [], rest
            d = zlib.decompressobj(31)
    if fed:
        raise TornFile(f"text file ends inside a record at byte {member_start}")


def coalesce(spans: Iterable[tuple[int, int]], gap: int = 64 * 1024) -> list[tuple[int, int]]:
    """Sorted (offset, length) spans merged where less than ``gap`` bytes lie between them: fewer reads."""
    out: list[list[int]] = []
    for offset, length in sorted(spans):
        if out and offset - (out[-1][0] + out[-1][1]) <= gap:
            out[-1][1] = max(out[-1][1], offset + length - out[-1][0])
        else:
            out.append([offset, length])
    return [(o, n) for o, n in out]


def parse(member: Member) -> dict:
    """The record a member holds; ValueError if it is not JSON, TypeError if not an object."""
    record = json.loads(member.data)
    if not isinstance(record, dict):
        raise TypeError("not a JSON object")
    return record


@dataclass(frozen=True)
class Piece:
    """A run of whole records of one text file, read in one go, and which of them are wanted."""

    key: str
    offset: int  # of ``data`` in the text file
    offsets: list[int]  # the wanted records' offsets, ascending
    lengths: list[int]  # and their lengths
    derived: dict[str, list] = field(default_factory=dict)  # DERIVED column -> values, aligned with offsets
    data: bytes = b""


def members(piece: Piece) -> tuple[list, int]:
    """The wanted members, inflated; at the catalogue's offsets (fast), else by walking the piece."""
    view = memoryview(piece.data)
    try:
        return [Member(o, n, zlib.decompress(view[o - piece.offset:o - piece.offset + n], 31))
                for o, n in zip(piece.offsets, piece.lengths, strict=True)], 0
    except zlib.error:
        pass  # the catalogue does not match the file: walk it
    wanted = set(piece.offsets)
    found = []
    try:
        found = [m for m in iter_members(io.BytesIO(piece.data), start=piece.offset) if m.offset in wanted]
    except TornFile:
        return found, 1
    return found, 0
