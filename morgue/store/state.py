"""A site's crawl state: what the archive already holds of each article, kept in the store under ``state/``.

The state is a cache of the archive, never its only copy: it is rebuilt from
the text records in the store (``rebuild``, run by ``morgue reindex``), and a
crawl without it only does more work. It tells an incremental crawl, per
canonical article URL: the last capture that holds the payload (record ID,
URI, date, payload digest), the validators to send (``ETag``,
``Last-Modified``), the discovery date seen then (sitemap ``lastmod``, feed
date), the publication date, and the last text record (its hash, version and
record ID), which revisions supersede.

One entry is one tab-separated string (about 300 bytes for 100,000 articles:
tens of MB), parsed only when looked up. The store's objects are never
overwritten: each save is a new snapshot ``state/<site>/<timestamp>-<pid>.jsonl.gz``
and the newest one is read.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from morgue.store.base import Store, StoreError, file_sha256

PREFIX = "state/"
FORMAT = 2


@dataclass
class Entry:
    """What the archive holds of one article (empty strings for unknown values)."""

    digest: str = ""  # payload digest of the last full capture
    record_id: str = ""  # WARC-Record-ID of that capture (what a revisit refers to)
    uri: str = ""  # its WARC-Target-URI
    date: str = ""  # its WARC-Date
    etag: str = ""
    last_modified: str = ""
    seen: str = ""  # the discovery date (lastmod, updated, published) at the last fetch
    published: str = ""
    text_hash: str = ""
    text_id: str = ""  # warc_record_id of the last text record: what a revision supersedes
    version: int = 0

    def pack(self) -> str:
        return "\t".join(str(getattr(self, f.name)).replace("\t", " ") for f in fields(self))

    @classmethod
    def unpack(cls, packed: str) -> Entry:
        values: list = packed.split("\t")
        values[-1] = int(values[-1] or 0)
        return cls(*values)


_FIELD_NAMES = [f.name for f in fields(Entry)]
_UUID = "<urn:uuid:"


def _shrink(url: str, entry: Entry) -> Entry:
    """What is usually redundant, left out in memory and in snapshots: 115 bytes of ~330 an article."""
    small = Entry(**asdict(entry))
    if small.uri == url:
        small.uri = "="
    if small.text_id and small.text_id == small.record_id:
        small.text_id = "="
    if small.record_id.startswith(_UUID) and small.record_id.endswith(">"):
        small.record_id = small.record_id[len(_UUID):-1]
    return small


def _expand(url: str, entry: Entry) -> Entry:
    if entry.record_id and not entry.record_id.startswith("<"):
        entry.record_id = f"{_UUID}{entry.record_id}>"
    if entry.uri == "=":
        entry.uri = url
    if entry.text_id == "=":
        entry.text_id = entry.record_id
    return entry


def site_id(url: str) -> str:
    """The state's name for the site of ``url``: its host, without ``www.`` (safe as a key part)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    port = urlsplit(url).port
    name = f"{host}_{port}" if port else host
    return "".join(c if c.isalnum() or c in ".-_" else "_" for c in name) or "site"


class SiteState:
    """Entries by canonical URL, with the name of the snapshot they were loaded from."""

    def __init__(self, site: str, entries: dict[str, str] | None = None, loaded_from: str | None = None):
        self.site = site
        self._entries: dict[str, str] = entries or {}
        self.loaded_from = loaded_from
        self.changed = False

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, url: str) -> bool:
        return url in self._entries

    def get(self, url: str) -> Entry | None:
        packed = self._entries.get(url)
        return _expand(url, Entry.unpack(packed)) if packed is not None else None

    def update(self, url: str, **values: object) -> Entry:
        entry = self.get(url) or Entry()
        for name, value in values.items():
            setattr(entry, name, value if name == "version" else ("" if value is None else str(value)))
        self._entries[url] = _shrink(url, entry).pack()
        self.changed = True
        return entry

    def items(self) -> Iterator[tuple[str, Entry]]:
        for url, packed in self._entries.items():
            yield url, _expand(url, Entry.unpack(packed))

    def fold_text_record(self, record: dict) -> None:
        """Take in a text record (from the store or a spool file), if it is newer than what is known."""
        from morgue.corpus.rows import text_hash

        url = record.get("canonical_url") or record.get("url")
        if not url or not record.get("text"):
            return
        key = canonical(url)
        known = self.get(key)
        fetched = record.get("fetched_at") or ""
        if known is not None and known.date and fetched and fetched < known.date:
            return
        digest_hash = text_hash(record.get("text") or "")
        if known is not None and known.text_hash == digest_hash:
            version = known.version
        else:
            version = int(record.get("version") or ((known.version if known else 0) + 1))
        self.update(
            key, digest=record.get("payload_digest"), record_id=record.get("warc_record_id"),
            uri=record.get("url"), date=fetched, published=record.get("published"),
            text_hash=digest_hash, text_id=record.get("warc_record_id"), version=version,
        )

    # -- the store

    def snapshot_key(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{int(time.time() * 1000) % 1000:03d}"
        return f"{PREFIX}{self.site}/{stamp}-{os.getpid()}.jsonl.gz"

    def save(self, store: Store) -> str:
        """Write a new snapshot into the store; returns its key."""
        key = self.snapshot_key()
        fd, name = tempfile.mkstemp(suffix=".jsonl.gz")
        os.close(fd)
        path = Path(name)
        try:
            with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as f:
                f.write(json.dumps({"format": FORMAT, "site": self.site, "fields": _FIELD_NAMES}) + "\n")
                for url, packed in self._entries.items():
                    f.write(json.dumps([url, packed], ensure_ascii=False) + "\n")
            store.put_file(path, key, file_sha256(path))
        finally:
            path.unlink(missing_ok=True)
        self.changed = False
        return key

    @classmethod
    def load(cls, store: Store, site: str) -> SiteState:
        """The newest readable snapshot of ``site``; an empty state if there is none (the crawl does more work)."""
        keys = sorted(store.list(f"{PREFIX}{site}/"))
        for key in reversed(keys):
            try:
                return cls(site, dict(_read_snapshot(store, key)), loaded_from=key)
            except (OSError, EOFError, ValueError, StoreError):
                continue  # damaged: an older one, or none
        return cls(site)


def _read_snapshot(store: Store, key: str) -> Iterator[tuple[str, str]]:
    with store.open(key) as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        header = json.loads(next(f))
        if header.get("format") != FORMAT or header.get("fields") != _FIELD_NAMES:
            raise ValueError(f"{key}: unknown state format")
        for line in f:
            url, packed = json.loads(line)
            yield url, packed


#: discovery entry fields that say an article changed, in order of trust
CHANGE_DATES = ("lastmod", "updated", "published", "publication_date")


def discovery_date(discovery: dict | None) -> str:
    """The date a sitemap or feed gave an article (the string as written), or ''."""
    entry = (discovery or {}).get("entry") or {}
    for name in CHANGE_DATES:
        if entry.get(name):
            return str(entry[name])
    return ""


def canonical(url: str) -> str:
    from w3lib.url import canonicalize_url

    return canonicalize_url(url)


def text_records_of(lines: Iterable[bytes | str]) -> Iterator[dict]:
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


def fold_text_file(states: dict[str, SiteState], stream) -> int:
    """Fold every record of a ``.jsonl.gz`` text file into ``states`` (site → state); returns records read."""
    n = 0
    try:
        with gzip.open(stream, "rb") as f:
            for record in text_records_of(f):
                site = site_id(record.get("canonical_url") or record.get("url") or "")
                state = states.get(site)
                if state is None:
                    state = states[site] = SiteState(site)
                state.fold_text_record(record)
                n += 1
    except (OSError, EOFError):
        pass  # a damaged file: what was read stays
    return n


def rebuild(store: Store) -> dict[str, SiteState]:
    """Every site's state, from the text records in the store, then the WARC files (``morgue reindex``).

    The text records give each article's last text and capture; the WARC files add what the
    capture said that the text record does not keep: its validators (``ETag``,
    ``Last-Modified``) and the discovery date seen then (its ``metadata`` record).
    """
    states: dict[str, SiteState] = {}
    for key in store.list("text/"):
        if key.endswith(".jsonl.gz"):
            with store.open(key) as raw:
                fold_text_file(states, raw)
    by_record = {entry.record_id: (state, url) for state in states.values()
                 for url, entry in state.items() if entry.record_id}
    for key in store.list("warc/"):
        if key.endswith(".warc.gz") and by_record:
            with store.open(key) as raw:
                _fold_warc(raw, by_record)
    return states


def _fold_warc(stream, by_record: dict[str, tuple[SiteState, str]]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    try:
        for record in ArchiveIterator(stream):
            rec_id = record.rec_headers.get_header("WARC-Record-ID")
            if record.rec_type == "response" and rec_id in by_record and record.http_headers:
                state, url = by_record[rec_id]
                state.update(url, etag=record.http_headers.get_header("ETag") or "",
                             last_modified=record.http_headers.get_header("Last-Modified") or "")
            elif record.rec_type == "metadata":
                from morgue.warc.cdxj import parse_metadata

                target = record.rec_headers.get_header("WARC-Concurrent-To")
                if target in by_record:
                    try:
                        seen = discovery_date(parse_metadata(record.content_stream().read(),
                                                             record.rec_headers.get_header("Content-Type")))
                    except ValueError:
                        continue
                    if seen:
                        state, url = by_record[target]
                        state.update(url, seen=seen)
    except (OSError, EOFError, ValueError):
        pass  # a damaged file: what was read stays


def entry_as_dict(entry: Entry) -> dict:
    return asdict(entry)
