"""The index of on-demand captures: one SQLite file in the spool, shared by ``morgue save`` and the service.

The archive itself stays the source of truth (the WARC record and the text
record in the store); this index answers what the store cannot answer
quickly: the captures of a URL, newest first, and a capture by its id. It
lives beside the spool (``<spool>/service/captures.sqlite``), outside the
folders the uploader reads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    capture_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    final_url TEXT,
    status INTEGER,
    saved_at REAL NOT NULL,
    fetched_at TEXT,
    warc_key TEXT, warc_filename TEXT, warc_offset INTEGER, warc_length INTEGER, warc_record_id TEXT,
    title TEXT,
    error TEXT,
    record TEXT
);
CREATE INDEX IF NOT EXISTS captures_url ON captures (url, saved_at);
CREATE INDEX IF NOT EXISTS captures_final_url ON captures (final_url, saved_at);
"""

FIELDS = ("capture_id", "url", "final_url", "status", "saved_at", "fetched_at", "warc_key", "warc_filename",
          "warc_offset", "warc_length", "warc_record_id", "title", "error")


def index_path(spool_root: Path) -> Path:
    return Path(spool_root) / "service" / "captures.sqlite"


class CaptureIndex:
    """Captures by id and by URL; safe to share between threads and between processes (SQLite WAL)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, result: dict[str, Any]) -> None:
        """Index a capture (a ``SaveSpider`` result with a ``capture_id``)."""
        if not result.get("capture_id"):
            return
        record = result.get("record")
        row = {name: result.get(name) for name in FIELDS}
        row["saved_at"] = result.get("saved_at") or time.time()
        row["fetched_at"] = (record or {}).get("fetched_at") or result.get("fetched_at")
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO captures ({', '.join(FIELDS)}, record) "
                f"VALUES ({', '.join('?' * len(FIELDS))}, ?)",
                [row[name] for name in FIELDS] + [json.dumps(record) if record else None],
            )

    def _rows(self, sql: str, args: tuple) -> list[dict[str, Any]]:
        with self._lock:
            cursor = self._db.execute(sql, args)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        out = []
        for row in rows:
            item = dict(zip(names, row, strict=True))
            record = item.pop("record", None)
            item["record"] = json.loads(record) if record else None
            out.append(item)
        return out

    def get(self, capture_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM captures WHERE capture_id = ?", (capture_id,))
        return rows[0] if rows else None

    def of_url(self, url: str, limit: int = 100) -> list[dict[str, Any]]:
        """Captures of ``url`` (as requested or as finally reached), newest first."""
        return self._rows("SELECT * FROM captures WHERE url = ? OR final_url = ? ORDER BY saved_at DESC LIMIT ?",
                          (url, url, limit))

    def recent(self, url: str, within: float) -> dict[str, Any] | None:
        """The newest successful capture of ``url`` made in the last ``within`` seconds, if any."""
        rows = self._rows(
            "SELECT * FROM captures WHERE (url = ? OR final_url = ?) AND error IS NULL AND saved_at >= ? "
            "ORDER BY saved_at DESC LIMIT 1", (url, url, time.time() - within))
        return rows[0] if rows else None

    def latest(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM captures ORDER BY saved_at DESC LIMIT ?", (limit,))
