"""The service's jobs: persisted in SQLite, run in the background a bounded number at once.

A job is a small crawl of the save spider over the URLs of one request, run
in the service's own event loop (``AsyncCrawlerProcess.crawl``: one
``Crawler`` per job, as Scrapy runs several spiders in one process). Jobs are
written to ``<spool>/service/jobs.sqlite`` when submitted, so a restart of the
service runs again whatever was queued or running when it stopped.

A job is ``done`` only when every URL's response record was read back from
the store (``morgue.service.saves.settle``); otherwise it is ``failed``, with
each URL's reason. A URL saved within ``recent`` seconds is answered with
that capture instead of being fetched again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from morgue.service.saves import from_index, public, settle

logger = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    urls TEXT NOT NULL,
    results TEXT,
    webhook TEXT,
    webhook_status TEXT,
    error TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created);
"""


class JobStore:
    """Jobs by id, in one SQLite file (WAL; one connection guarded by a lock, used from the event loop)."""

    def __init__(self, path: Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, urls: list[str], webhook: str | None = None) -> str:
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._lock:
            self._db.execute("INSERT INTO jobs (id, state, urls, webhook, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                             (job_id, "queued", json.dumps(urls), webhook, now, now))
        return job_id

    def update(self, job_id: str, **fields: Any) -> None:
        fields["updated"] = time.time()
        if "results" in fields:
            fields["results"] = json.dumps(fields["results"])
        with self._lock:
            self._db.execute(f"UPDATE jobs SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                             [*fields.values(), job_id])

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            cursor = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,))
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description]
        if row is None:
            return None
        job = dict(zip(names, row, strict=True))
        job["urls"] = json.loads(job["urls"])
        job["results"] = json.loads(job["results"]) if job["results"] else []
        return job

    def unfinished(self) -> list[str]:
        """Jobs queued or running when the service last stopped, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT id FROM jobs WHERE state IN ('queued', 'running') ORDER BY created")
            return [r[0] for r in rows.fetchall()]


def job_view(job: dict[str, Any]) -> dict[str, Any]:
    """A job as ``GET /api/jobs/ID`` gives it."""
    results = job["results"] or [{"url": u, "status": None, "error": None, "capture_id": None,
                                  "warc_filename": None, "warc_offset": None} for u in job["urls"]]
    view = {"job": job["id"], "state": job["state"], "urls": job["urls"], "results": results,
            "created": job["created"], "updated": job["updated"]}
    if job.get("error"):
        view["error"] = job["error"]
    if job.get("webhook"):
        view["webhook"] = job["webhook"]
        view["webhook_status"] = job.get("webhook_status")
    return view


class JobRunner:
    """Runs queued jobs, ``concurrency`` at once, each through ``crawl(urls) -> results``.

    ``crawl`` runs the save spider (the service passes one bound to its
    ``AsyncCrawlerProcess``); ``notify(job)`` calls the job's webhook.
    """

    def __init__(self, jobs: JobStore, index, store, crawl: Callable[[list[str]], Awaitable[list[dict]]],
                 *, concurrency: int = 4, recent: float = 300.0,
                 notify: Callable[[dict[str, Any]], Awaitable[None]] | None = None):
        self.jobs = jobs
        self.index = index
        self.store = store
        self.crawl = crawl
        self.concurrency = concurrency
        self.recent = recent
        self.notify = notify
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.workers: list[asyncio.Task] = []

    def start(self) -> None:
        for job_id in self.jobs.unfinished():  # what a stopped service left: run again
            self.jobs.update(job_id, state="queued")
            self.queue.put_nowait(job_id)
        self.workers = [asyncio.ensure_future(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> None:
        for worker in self.workers:
            worker.cancel()
        await asyncio.gather(*self.workers, return_exceptions=True)

    def submit(self, urls: list[str], webhook: str | None = None) -> str:
        job_id = self.jobs.add(urls, webhook)
        self.queue.put_nowait(job_id)
        return job_id

    async def _work(self) -> None:
        while True:
            job_id = await self.queue.get()
            try:
                await self.run(job_id)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # one job's bug must not end the worker
                logger.exception("Job %s failed", job_id)
                self.jobs.update(job_id, state="failed", error=f"{type(e).__name__}: {e}")
            finally:
                self.queue.task_done()
            job = self.jobs.get(job_id)
            if job and job.get("webhook") and self.notify is not None:
                await self.notify(job)

    async def run(self, job_id: str) -> None:
        job = self.jobs.get(job_id)
        if job is None or job["state"] not in ("queued", "running"):
            return
        self.jobs.update(job_id, state="running")
        urls = job["urls"]
        recent: dict[int, dict] = {}
        if self.recent > 0:
            for n, url in enumerate(urls):
                row = self.index.recent(url, self.recent)
                if row is not None:
                    recent[n] = from_index(row)
        to_fetch = [u for n, u in enumerate(urls) if n not in recent]
        fetched: list[dict] = []
        if to_fetch:
            fetched = await self.crawl(to_fetch)
            fetched = await asyncio.to_thread(settle, fetched, self.store, self.index)
        given = iter(fetched)
        results = [public(recent[n] if n in recent else next(given)) for n in range(len(urls))]
        failed = any(r["error"] for r in results)
        self.jobs.update(job_id, state="failed" if failed else "done", results=results,
                         error=f"{sum(1 for r in results if r['error'])} of {len(urls)} URLs not saved"
                         if failed else None)
