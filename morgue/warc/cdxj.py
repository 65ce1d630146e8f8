"""CDXJ indexes of WARC files, and finding the captures of a URL through them.

Each WARC file gets a sorted CDXJ index when it is closed, stored once beside it in a
tree of its own: ``warc/Y/M/D/<name>.warc.gz`` -> ``cdxj/Y/M/D/<name>.cdxj``. A line is
``<SURT urlkey> <14-digit time> <JSON>``, the JSON holding what pywb and cdxj-indexer write
(``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset``, ``filename``, here the
WARC file's store key) plus the record's ID and, for a capture that has one, where its
discovery ``metadata`` record is (``meta_offset``, ``meta_length``).

Only captures are lines: ``response``, ``revisit`` and ``resource`` records. A ``metadata``
record describes the capture it is concurrent to (``WARC-Concurrent-To``), so it is found
through that capture's line, never in its place: a replay of a URL must get the page, not
the JSON about it.

Lookups go through a local SQLite copy of the store's indexes (``CaptureIndex``; default
``~/.cache/morgue/cdxj/<hash of the store URI>.sqlite3``), brought up to date with the
indexes added since (one listing of ``cdxj/``, then only the new files); a WARC file
without an index (one written before indexes, or whose index could not be made) is
indexed once by reading it, and its index stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

if TYPE_CHECKING:
    from morgue.store import Store

logger = logging.getLogger(__name__)

WARC_PREFIX = "warc/"
WARC_SUFFIX = ".warc.gz"
PREFIX = "cdxj/"
SUFFIX = ".cdxj"
#: records that are captures of a URL, as pywb and cdxj-indexer index them
CAPTURE_TYPES = ("response", "revisit", "resource")
_MIME_END = re.compile(r"[;\s]")


def cdxj_key(warc_key: str) -> str:
    """``warc/Y/M/D/<name>.warc.gz`` -> ``cdxj/Y/M/D/<name>.cdxj``."""
    if not (warc_key.startswith(WARC_PREFIX) and warc_key.endswith(WARC_SUFFIX)):
        raise ValueError(f"not a WARC file key: {warc_key!r}")
    return PREFIX + warc_key[len(WARC_PREFIX):-len(WARC_SUFFIX)] + SUFFIX


def warc_key_of(key: str) -> str:
    return WARC_PREFIX + key[len(PREFIX):-len(SUFFIX)] + WARC_SUFFIX


def urlkey(url: str) -> str:
    """The SURT form pywb and cdxj-indexer look URLs up by (``org,example)/a/b?q=1``)."""
    import surt

    try:
        return surt.surt(url)
    except Exception:  # noqa: BLE001 -- surt raises what it likes on odd URLs; the URL itself is a key
        return url


def _mime(value: str | None) -> str:
    return _MIME_END.split(value or "", 1)[0].strip() or "unk"


def index_lines(stream: BinaryIO, warc_key: str) -> list[str]:
    """The sorted CDXJ lines of one WARC file read from ``stream``."""
    entries: dict[str, tuple[str, str, dict]] = {}  # record id -> (urlkey, time, fields)
    it = ArchiveIterator(stream)
    for record in it:
        kind = record.rec_type
        headers = record.rec_headers
        if kind not in CAPTURE_TYPES and kind != "metadata":
            continue
        offset, length = it.get_record_offset(), it.get_record_length()
        if kind == "metadata":
            described = entries.get(headers.get_header("WARC-Concurrent-To") or "")
            if described is not None:
                described[2]["meta_offset"], described[2]["meta_length"] = offset, length
            continue
        url = headers.get_header("WARC-Target-URI") or ""
        date = headers.get_header("WARC-Date") or ""
        if not url or not date:
            continue
        http = record.http_headers
        fields: dict = {"url": url}
        if kind == "revisit":
            fields["mime"] = "warc/revisit"
        elif http is not None:
            fields["mime"] = _mime(http.get_header("Content-Type"))
        else:
            fields["mime"] = _mime(headers.get_header("Content-Type"))
        if kind in ("response", "revisit") and http is not None and http.get_statuscode():
            fields["status"] = http.get_statuscode()
        digest = headers.get_header("WARC-Payload-Digest")
        if digest:
            fields["digest"] = digest
        fields.update(length=str(length), offset=str(offset), filename=warc_key,
                      id=headers.get_header("WARC-Record-ID"))
        entries[fields["id"] or str(offset)] = (urlkey(url), iso_date_to_timestamp(date), fields)
    return sorted(f"{key} {ts} {json.dumps(fields, ensure_ascii=False)}" for key, ts, fields in entries.values())


def index_file(path: Path, warc_key: str | None = None) -> Path:
    """Write the CDXJ index of the finished WARC file ``path`` beside it; returns its path.

    The index is named ``.<name>.cdxj``: hidden, so the spool never takes it for an archive
    file. ``warc_key`` (default: the store key of ``path``'s name) is the ``filename`` of
    each line.
    """
    from morgue.store.names import key_for

    warc_key = warc_key or key_for(path.name)
    out = path.with_name(f".{path.name}{SUFFIX}")
    with open(path, "rb") as f:
        lines = index_lines(f, warc_key)
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return out


def upload_index(store: Store, path: Path, warc_key: str) -> str | None:
    """Make and upload the CDXJ index of the local WARC file ``path`` (stored as ``warc_key``).

    The hook for the upload path, as ``upload_catalogue`` is for text files: call it after
    the WARC file is in the store and before the local copy goes. A StoreError propagates
    (the upload is retried); a WARC file that cannot be read is logged and its index left to
    the first lookup. Returns the index's key, or None if it was there already or not made.
    """
    from warcio.exceptions import ArchiveLoadFailed

    from morgue.store import file_sha256

    key = cdxj_key(warc_key)
    if store.exists(key):
        return None
    try:
        local = index_file(path, warc_key)
    except (OSError, ValueError, ArchiveLoadFailed) as e:
        logger.error("Cannot make the CDXJ index of %s (the first lookup will): %s", warc_key, e)
        return None
    try:
        store.put_file(local, key, file_sha256(local))
    finally:
        local.unlink(missing_ok=True)
    return key


@dataclass(frozen=True)
class Capture:
    """One capture of a URL, as its CDXJ line has it."""

    urlkey: str
    timestamp: str  # YYYYMMDDhhmmss, UTC
    url: str
    mime: str
    status: str | None
    digest: str | None
    warc_key: str
    offset: int
    length: int
    record_id: str | None
    meta_offset: int | None = None
    meta_length: int | None = None

    @classmethod
    def from_line(cls, line: str) -> Capture:
        key, ts, data = line.rstrip("\n").split(" ", 2)
        f = json.loads(data)
        return cls(key, ts, f.get("url", ""), f.get("mime", "unk"), f.get("status"), f.get("digest"),
                   f["filename"], int(f["offset"]), int(f["length"]), f.get("id"),
                   _int(f.get("meta_offset")), _int(f.get("meta_length")))

    @property
    def time(self) -> str:
        """The capture's time as ISO 8601 (``2026-12-03T08:53:35Z``)."""
        t = self.timestamp
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"

    def to_dict(self) -> dict:
        """What an API answers for a capture."""
        return {"url": self.url, "time": self.time, "timestamp": self.timestamp, "status": self.status,
                "mime": self.mime, "digest": self.digest, "warc_key": self.warc_key, "offset": self.offset,
                "length": self.length, "warc_record_id": self.record_id}


def _int(value) -> int | None:
    return None if value is None else int(value)


def parse_time(value: str) -> str:
    """A time as given on a command line (``2026-12-03``, ``2026-12-03T08:53:35Z``, 14 digits)
    -> a 14-digit timestamp; ValueError if it is none of those."""
    digits = re.sub(r"[-:TZtz ]", "", value.strip())
    if digits.isdigit() and 4 <= len(digits) <= 14 and len(digits) % 2 == 0:
        padded = digits + "0101000000"[len(digits) - 4:] if len(digits) < 14 else digits
        try:
            datetime.strptime(padded, "%Y%m%d%H%M%S")
            return padded
        except ValueError:
            pass
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"invalid time {value!r}: use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or 14 digits") from None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y%m%d%H%M%S")


def closest(captures: list[Capture], timestamp: str | None) -> Capture | None:
    """The capture nearest ``timestamp`` (the newest one when None); a 2xx before others."""
    if not captures:
        return None

    def ok(c: Capture) -> int:
        return 0 if (c.status or "200").startswith("2") else 1

    if timestamp is None:
        return min(captures, key=lambda c: (ok(c), _neg(c.timestamp)))
    target = _seconds(timestamp)
    return min(captures, key=lambda c: (ok(c), abs(_seconds(c.timestamp) - target)))


def _neg(ts: str) -> int:
    return -int(ts)


def _seconds(ts: str) -> float:
    return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc).timestamp()


def default_cache(store: Store) -> Path:
    """``$XDG_CACHE_HOME/morgue/cdxj/<hash of the store URI>.sqlite3``."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "morgue" / "cdxj" / (hashlib.sha256(store.uri.encode()).hexdigest()[:16] + ".sqlite3")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (cdxj_key TEXT PRIMARY KEY, lines INTEGER);
CREATE TABLE IF NOT EXISTS captures (urlkey TEXT, ts TEXT, line TEXT);
CREATE INDEX IF NOT EXISTS captures_key ON captures(urlkey, ts);
"""


class CaptureIndex:
    """The store's CDXJ indexes in one local SQLite table: a lookup is one index probe.

    ``update`` adds the indexes the copy has not seen; ``captures`` finds a URL's captures.
    The copy is a cache: deleting it costs one read of every index, never of a WARC file.
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def update(self, store: Store) -> dict[str, int]:
        """Add new indexes; index (and store the index of) WARC files that have none. Returns counts."""
        seen = {k for (k,) in self.db.execute("SELECT cdxj_key FROM files")}
        stored = {k for k in store.list(PREFIX) if k.endswith(SUFFIX)}
        counts = {"indexes_read": 0, "warc_files_indexed": 0, "lines": 0}
        for key in sorted(stored - seen):
            with store.open(key) as f:
                lines = f.read().decode("utf-8").splitlines()
            self._add(key, lines)
            counts["indexes_read"] += 1
            counts["lines"] += len(lines)
        for warc_key in store.list(WARC_PREFIX):
            if not warc_key.endswith(WARC_SUFFIX) or cdxj_key(warc_key) in stored or cdxj_key(warc_key) in seen:
                continue
            lines = self._index_missing(store, warc_key)
            if lines is not None:
                self._add(cdxj_key(warc_key), lines)
                counts["warc_files_indexed"] += 1
                counts["lines"] += len(lines)
        return counts

    def _add(self, key: str, lines: list[str]) -> None:
        with self.db:  # one transaction per file: a file is in the copy whole or not at all
            if not self.db.execute("INSERT OR IGNORE INTO files VALUES (?, ?)", (key, len(lines))).rowcount:
                return  # another process sharing the copy added it meanwhile
            self.db.executemany("INSERT INTO captures VALUES (?, ?, ?)",
                                [(*line.split(" ", 2)[:2], line) for line in lines if line.strip()])

    def _index_missing(self, store: Store, warc_key: str) -> list[str] | None:
        """Read a WARC file that has no index, and store the index (when the store can be written)."""
        from warcio.exceptions import ArchiveLoadFailed

        from morgue.store import StoreError, file_sha256

        try:
            with store.open(warc_key) as f:
                lines = index_lines(f, warc_key)
        except (OSError, ValueError, ArchiveLoadFailed) as e:
            logger.warning("Cannot index %s: %s", warc_key, e)
            return None
        with tempfile.TemporaryDirectory(prefix="morgue-cdxj-") as tmp:
            local = Path(tmp) / "index.cdxj"
            local.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            try:
                store.put_file(local, cdxj_key(warc_key), file_sha256(local))
            except StoreError as e:
                logger.warning("Indexed %s, but cannot store its index: %s", warc_key, e)
        return lines

    def captures(self, url: str) -> list[Capture]:
        """Every capture of ``url`` (compared in SURT form), newest first."""
        rows = self.db.execute("SELECT line FROM captures WHERE urlkey = ? ORDER BY ts DESC", (urlkey(url),))
        return [Capture.from_line(line) for (line,) in rows]


def lookup(store: Store, url: str, cache: Path | None = None) -> list[Capture]:
    """The captures of ``url`` in ``store``, newest first, the local copy of the indexes updated first.

    The one call the on-demand service needs (``GET /api/captures?url=URL``).
    """
    index = CaptureIndex(cache or default_cache(store))
    try:
        index.update(store)
        return index.captures(url)
    finally:
        index.close()


def iter_index(store: Store) -> Iterator[Capture]:
    """Every capture in the store's stored indexes, index by index (for packaging a crawl)."""
    for key in store.list(PREFIX):
        if key.endswith(SUFFIX):
            with store.open(key) as f:
                for line in f.read().decode("utf-8").splitlines():
                    if line.strip():
                        yield Capture.from_line(line)


def read_record(store: Store, capture: Capture):
    """The capture's WARC record, read with one ranged read; ValueError if the bytes are no record."""
    import io

    from warcio.exceptions import ArchiveLoadFailed

    data = store.read_range(capture.warc_key, capture.offset, capture.length)
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
    except ArchiveLoadFailed as e:
        raise ValueError(f"not a WARC record: {e}") from None
    if record is None:
        raise ValueError("not a WARC record")
    return record


def parse_metadata(payload: bytes, content_type: str | None) -> dict:
    """A discovery metadata record's content: JSON, or WARC fields whose ``entry`` is JSON."""
    text = payload.decode("utf-8", "replace")
    if (content_type or "").startswith("application/json"):
        value = json.loads(text)
        return value if isinstance(value, dict) else {}
    out: dict = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if name.strip() == "entry":
            try:
                out["entry"] = json.loads(value)
            except ValueError:
                continue
        else:
            out[name.strip()] = value
    return out


def read_metadata(store: Store, capture: Capture) -> dict | None:
    """How the capture was found (its discovery ``metadata`` record), or None if it has none."""
    if capture.meta_offset is None or capture.meta_length is None:
        return None
    import io

    data = store.read_range(capture.warc_key, capture.meta_offset, capture.meta_length)
    record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
    if record is None or record.rec_type != "metadata":
        return None
    return parse_metadata(record.content_stream().read(), record.rec_headers.get_header("Content-Type"))


def read_body(store: Store, capture: Capture) -> bytes:
    """The body of a capture as it was served, decoded: no chunking, no gzip or br."""
    record = read_record(store, capture)
    if record.rec_type == "revisit":
        raise ValueError("the capture is a revisit record; its body is in the capture it refers to")
    return record.content_stream().read()
