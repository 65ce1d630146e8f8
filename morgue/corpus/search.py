"""Full-text search over the text records: SQLite FTS5 (in the standard library), BM25-ranked.

The index is a local SQLite file built from the store's text records and brought up to
date before each query: text files it has not seen are read and added (a store only
ever gains files, so "seen" is a set of keys). Titles weigh more than body text in the
ranking. The index lives outside the store (``~/.cache/morgue/search/`` by default, or
``--index``): it is derived data, rebuilt by deleting it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from morgue.corpus.records import TornFile, iter_members, parse, text_keys
from morgue.corpus.rows import row
from morgue.store import Store

TITLE_WEIGHT = 5.0
BATCH = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (text_key TEXT PRIMARY KEY, records INTEGER);
CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, url TEXT, site TEXT, published TEXT, fetched_at TEXT,
    warc_record_id TEXT, text_key TEXT, text_offset INTEGER);
CREATE INDEX IF NOT EXISTS docs_site ON docs(site);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
"""


def default_index(store: Store) -> Path:
    """``$XDG_CACHE_HOME/morgue/search/<hash of the store URI>.sqlite3``."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "morgue" / "search" / (hashlib.sha256(store.uri.encode()).hexdigest()[:16] + ".sqlite3")


@dataclass(frozen=True)
class Hit:
    title: str
    published: str | None
    url: str
    site: str
    snippet: str
    score: float
    warc_record_id: str | None
    text_key: str
    text_offset: int


class SearchIndex:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def update(self, store: Store, progress: Callable[[int], None] | None = None) -> int:
        """Add the text files the index has not seen; returns how many records were added."""
        seen = {k for (k,) in self.db.execute("SELECT text_key FROM files")}
        added = 0
        for key in text_keys(store):
            if key in seen:
                continue
            n = 0
            with self.db:  # one transaction per file: a file is in the index whole or not at all
                for batch in _batches(_rows(store, key)):
                    for r in batch:
                        cur = self.db.execute(
                            "INSERT INTO docs (url, site, published, fetched_at, warc_record_id, text_key, "
                            "text_offset) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (r["url"], r["site"], r["published"], r["fetched_at"], r["warc_record_id"], key,
                             r["text_offset"]))
                        self.db.execute("INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)",
                                        (cur.lastrowid, r["title"] or "", r["text"] or ""))
                    n += len(batch)
                self.db.execute("INSERT INTO files VALUES (?, ?)", (key, n))
            added += n
            if progress:
                progress(1)
        return added

    def search(self, query: str, *, sites: frozenset[str] = frozenset(), since: str | None = None,
               until: str | None = None, limit: int = 10) -> list[Hit]:
        """The best ``limit`` records for ``query`` (FTS5 syntax: words, "a phrase", OR, NOT, prefix*)."""
        where, params = ["fts MATCH ?"], [_match(query)]
        if sites:
            marks = ",".join("?" * len(sites))
            where.append(f"(d.site IN ({marks}) OR " + " OR ".join("d.site LIKE ?" for _ in sites) + ")")
            params += [*sorted(sites), *(f"%.{s}" for s in sorted(sites))]
        if since:
            where.append("substr(d.published, 1, 10) >= ?")
            params.append(since)
        if until:
            where.append("substr(d.published, 1, 10) <= ?")
            params.append(until)
        sql = (f"SELECT fts.title, d.published, d.url, d.site, snippet(fts, 1, '[', ']', ' … ', 24), "
               f"bm25(fts, {TITLE_WEIGHT}, 1.0) AS score, d.warc_record_id, d.text_key, d.text_offset "
               f"FROM fts JOIN docs d ON d.id = fts.rowid WHERE {' AND '.join(where)} ORDER BY score LIMIT ?")
        rows = self.db.execute(sql, (*params, limit)).fetchall()
        return [Hit(*r) for r in rows]


_WORD = re.compile(r"\w+", re.UNICODE)


def _match(query: str) -> str:
    """The query as FTS5 reads it; anything that is not FTS5 syntax becomes plain words (all must occur)."""
    query = query.strip()
    if not query:
        raise ValueError("empty search query")
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        probe.execute("SELECT * FROM t WHERE t MATCH ?", (query,))
        return query
    except sqlite3.OperationalError:
        words = _WORD.findall(query)
        if not words:
            raise ValueError(f"nothing to search for in {query!r}") from None
        return " ".join(f'"{w}"' for w in words)
    finally:
        probe.close()


def _rows(store: Store, key: str) -> Iterator[dict]:
    with store.open(key) as f:
        try:
            for m in iter_members(f):
                try:
                    yield row(parse(m), key, m.offset, m.length)
                except (ValueError, TypeError):
                    continue
        except TornFile:
            return


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
