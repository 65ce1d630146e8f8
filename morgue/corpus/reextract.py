"""Re-extraction: a new generation of text records made from the archived HTML, nothing fetched again.

For each text record chosen (the newest generation of each capture, by the catalogue,
after ``--since``/``--site``), the capture's response record and its discovery ``metadata``
record are read back from the WARC file with one ranged read, the body is decoded and run
through the current extraction in worker processes (``morgue.extraction.pool``), and a new
text record is written: the same fields, made as the crawl makes them, with this
``extractor`` and ``generation`` one more than the record it replaces. The old records stay;
export and ``morgue show`` take the newest generation of a capture unless told otherwise.

New records go through the store's spool into new text files (each with its catalogue
entries), like a crawl's: a run cut short leaves whole files to ``morgue flush``.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warcio.archiveiterator import ArchiveIterator

from morgue.warc.cdxj import parse_metadata

if TYPE_CHECKING:
    from morgue.store import Store
    from morgue.store.spool import Spool

logger = logging.getLogger(__name__)

#: bytes read past a response record to reach its request and metadata records
TRAILER_BYTES = 64 * 1024


def generation(record: dict) -> int:
    """A text record's generation: 1 for the crawl's (and for records older than generations)."""
    try:
        return max(int(record.get("generation") or 1), 1)
    except (TypeError, ValueError):
        return 1


@dataclass
class Selection:
    since: str | None = None  # fetched on or after this day (YYYY-MM-DD, UTC)
    sites: frozenset[str] = frozenset()


def chosen_rows(store: Store, selection: Selection) -> list[dict]:
    """Catalogue rows of the newest generation of each capture that the selection keeps."""
    import pyarrow.compute as pc

    from morgue.corpus import catalogue as cat
    from morgue.corpus.filters import Filters

    loaded = cat.load(store)
    tables = [loaded.table]
    for key in loaded.missing:
        tables.append(cat.scan(store, key))
    import pyarrow as pa

    t = pa.concat_tables(tables)
    filters = Filters(fetched_since=selection.since, sites=selection.sites)
    for _, fails in filters.failures(t):
        t = t.filter(pc.invert(pc.fill_null(fails, False)))
    newest: dict[str, dict] = {}
    for row in t.to_pylist():
        key = row.get("warc_record_id") or f"{row['text_key']}@{row['text_offset']}"
        if key not in newest or (generation(row), row["text_key"]) > (generation(newest[key]),
                                                                         newest[key]["text_key"]):
            newest[key] = row
    return sorted(newest.values(), key=lambda r: (r["text_key"], r["text_offset"]))


def read_text_record(store: Store, row: dict) -> dict:
    data = store.read_range(row["text_key"], row["text_offset"], row["text_length"])
    return json.loads(zlib.decompress(data, 31))


def generations_of(store: Store, url: str) -> list[dict]:
    """Every text record of ``url``: newest capture first, newest generation first within one.

    Each record gets ``text_key`` and ``text_offset`` (where it is stored).
    """
    import pyarrow.compute as pc

    from morgue.corpus import catalogue as cat

    loaded = cat.load(store)
    t = loaded.table.filter(pc.equal(loaded.table["url"], url))
    rows = t.to_pylist()
    for key in loaded.missing:
        rows += [r for r in cat.scan(store, key).to_pylist() if r["url"] == url]
    out = []
    for row in rows:
        record = read_text_record(store, row)
        record["text_key"], record["text_offset"] = row["text_key"], row["text_offset"]
        out.append(record)
    out.sort(key=lambda r: (r.get("fetched_at") or "", generation(r), r["text_key"]), reverse=True)
    return out


@dataclass
class Capture:
    """What re-extraction needs of an archived page."""

    url: str
    body: bytes
    encoding: str | None
    discovery: dict = field(default_factory=dict)


def read_capture(store: Store, record: dict) -> Capture:
    """The response a text record came from, decoded, with its discovery metadata if stored.

    ValueError when the record names no capture or its bytes are not the response it names.
    """
    from w3lib.encoding import http_content_type_encoding

    key, offset, length = record.get("warc_key"), record.get("warc_offset"), record.get("warc_length")
    if not key or offset is None or not length:
        raise ValueError("the text record names no WARC record")
    data = store.read_range(key, int(offset), int(length) + TRAILER_BYTES)
    it = ArchiveIterator(io.BytesIO(data))
    response = next(iter(it), None)
    if response is None or response.rec_type != "response":
        raise ValueError(f"no response record at {key} @{offset}")
    rid = response.rec_headers.get_header("WARC-Record-ID")
    if record.get("warc_record_id") and rid != record["warc_record_id"]:
        raise ValueError(f"the record at {key} @{offset} is {rid}, not {record['warc_record_id']}")
    body = response.content_stream().read()
    content_type = response.http_headers.get_header("Content-Type") or ""
    capture = Capture(response.rec_headers.get_header("WARC-Target-URI"), body,
                      http_content_type_encoding(content_type))
    try:
        for _, other in zip(range(3), it, strict=False):
            if other.rec_type == "metadata" and other.rec_headers.get_header("WARC-Concurrent-To") == rid:
                capture.discovery = parse_metadata(other.content_stream().read(),
                                                   other.rec_headers.get_header("Content-Type"))
                break
    except Exception as e:  # noqa: BLE001 -- the trailing bytes end mid-record: no metadata to be had
        logger.debug("No metadata record after %s @%s: %s", key, offset, e)
    if not capture.discovery and record.get("discovered_via"):
        capture.discovery = {"via": record["discovered_via"], "from": record.get("discovered_from")}
    return capture


def new_record(old: dict, capture: Capture, article: dict, extractor: str) -> dict:
    """The next generation of ``old``: made as the crawl makes a record, from the same capture."""
    from morgue.items import Page
    from morgue.text.record import text_record

    warc = {name: old.get(name) for name in ("warc_filename", "warc_record_id", "warc_offset", "warc_length",
                                               "payload_digest", "fetched_at")}
    page = Page(url=old.get("url") or capture.url, requested_url=old.get("requested_url") or capture.url,
                body=b"", encoding=capture.encoding, warc=warc, discovery=capture.discovery, article=article)
    record = text_record(page, extractor)
    for name, value in old.items():  # fields the crawl added that this morgue does not make
        record.setdefault(name, value)
    record["warc_key"] = old.get("warc_key") or record.get("warc_key")
    record["generation"] = generation(old) + 1
    return record


@dataclass
class Summary:
    chosen: int = 0
    written: int = 0
    empty: int = 0
    failed: int = 0
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _extract_in_process(body: bytes, url: str, encoding: str | None) -> dict:
    from morgue.extraction import extract

    return extract(body, url, encoding)


async def _extract_all(jobs: Iterator[tuple[dict, Capture]], workers: int, timeout: float,
                       done: Callable[[dict, Capture, dict | None, str | None], None]) -> None:
    """Extract every job's page, ``workers`` at a time in worker processes (0: in this process)."""
    from morgue.extraction import worker
    from morgue.extraction.pool import ExtractionPool, PageFailed, WorkersUnavailable

    pool = ExtractionPool(workers, timeout, function=worker.extract_page, initializer=worker.start) \
        if workers > 0 else None
    pending: set[asyncio.Task] = set()

    async def one(old: dict, capture: Capture) -> None:
        nonlocal pool
        try:
            if pool is None:
                article = _extract_in_process(capture.body, capture.url, capture.encoding)
            else:
                try:
                    article = await pool.run(capture.body, capture.url, capture.encoding)
                except WorkersUnavailable as e:
                    logger.error("%s; extracting in this process instead", e)
                    pool = None
                    article = _extract_in_process(capture.body, capture.url, capture.encoding)
            done(old, capture, article, None)
        except PageFailed as e:
            done(old, capture, None, e.reason)

    try:
        for old, capture in jobs:
            pending.add(asyncio.ensure_future(one(old, capture)))
            if len(pending) >= 2 * max(workers, 1):
                finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    task.result()
        if pending:
            for task in await asyncio.gather(*pending, return_exceptions=True):
                if isinstance(task, BaseException):
                    raise task
    finally:
        if pool is not None:
            await pool.close()


def reextract(store: Store, spool: Spool, selection: Selection, *, workers: int = 1, timeout: float = 60,
              prefix: str = "MORGUE", max_size: int = 100_000_000,
              progress: Callable[[int], None] | None = None) -> Summary:
    """Re-extract the chosen captures into a new generation of text records; upload them."""
    from morgue.extraction import extractor_id
    from morgue.store.upload import upload_one
    from morgue.text.writer import RotatingTextWriter

    summary = Summary()
    rows = chosen_rows(store, selection)
    summary.chosen = len(rows)
    spool.prepare()
    writer = RotatingTextWriter(spool.create, prefix=prefix, max_size=max_size)
    names: set[str] = set()
    extractor = extractor_id()

    def jobs() -> Iterator[tuple[dict, Capture]]:
        for row in rows:
            try:
                old = read_text_record(store, row)
                yield old, read_capture(store, old)
            except (ValueError, zlib.error, OSError) as e:
                summary.failed += 1
                summary.errors.append(f"{row.get('url')}: {e}")
                logger.warning("Cannot re-extract %s: %s", row.get("url"), e)

    def done(old: dict, capture: Capture, article: dict | None, failure: str | None) -> None:
        if progress:
            progress(1)
        if article is None:
            summary.failed += 1
            summary.errors.append(f"{old.get('url')}: {failure}")
            return
        if not article.get("text"):
            summary.empty += 1
            return
        names.add(writer.write(new_record(old, capture, article, extractor)).filename)
        summary.written += 1

    try:
        asyncio.run(_extract_all(jobs(), workers, timeout, done))
    finally:
        writer.finish()  # whatever was written is kept: uploaded below, or by the next flush
    for path in spool.ready():
        if path.name in names:
            key = upload_one(store, path)
            if key:
                summary.files.append(key)
    return summary
