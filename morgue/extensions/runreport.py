"""How a run went, kept in the store; and the spool's free space, watched so that a full disk ends a run cleanly.

The report (``reports/YYYY/MM/DD/<run>.json``) is written by the command
line once every site's crawl has ended, since only then is the exit code
known: start, end, exit code and its meaning, and per site its outcome,
pages by status, articles new / revised / unchanged / failed, revisits,
bytes archived and WARC files.

``FreeSpaceExtension`` checks the spool's disk when the spider opens and
every few seconds: below ``MORGUE_MIN_FREE_SPACE`` bytes (default 1 GB) it
stops fetching the way Ctrl-C does (files finished and uploaded) and says
so in ``morgue/out_of_disk``, which the command line turns into exit code 7.

Settings: ``MORGUE_REPORTS_ENABLED`` (default true), ``MORGUE_MIN_FREE_SPACE``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from morgue import meta
from morgue.config import number

logger = logging.getLogger(__name__)


def _site_report(outcome: dict) -> dict:
    stats = outcome.get("stats") or {}
    prefix = "downloader/response_status_count/"
    by_status = {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}
    revisits = stats.get(meta.REVISITS_NOT_MODIFIED, 0) + stats.get(meta.REVISITS_IDENTICAL, 0)
    return {
        "site": outcome.get("site"),
        "outcome": "ok" if outcome.get("exit_code") == 0 else (outcome.get("reason") or "failed"),
        "exit_code": outcome.get("exit_code"),
        "pages_by_status": by_status,
        "articles": {
            "new": stats.get(meta.ARTICLES_NEW, 0),
            "revised": stats.get(meta.ARTICLES_REVISED, 0),
            "unchanged": stats.get(meta.ARTICLES_UNCHANGED, 0) + revisits,
            "not_fetched": stats.get(meta.INCREMENTAL_SKIPPED, 0),
            "failed": stats.get(meta.ARTICLE_HTTP_ERRORS, 0) + stats.get(meta.EXTRACT_EMPTY, 0),
        },
        "revisits": {"not_modified": stats.get(meta.REVISITS_NOT_MODIFIED, 0),
                     "identical_payload": stats.get(meta.REVISITS_IDENTICAL, 0)},
        "text_records": stats.get(meta.TEXT_RECORDS, 0),
        "warc_files": stats.get(meta.WARC_FILES, 0),
        "bytes_archived": stats.get(meta.WARC_BYTES, 0),
        "files_uploaded": stats.get(meta.FILES_UPLOADED, 0),
        "files_pending": stats.get(meta.FILES_PENDING, 0),
        "interrupted": stats.get(meta.INTERRUPTED),
    }


def build_report(outcomes: list[dict], start: datetime, end: datetime, exit_code: int) -> dict:
    from morgue.cli.common import EXIT_CODES

    sites = [_site_report(o) for o in outcomes]
    return {
        "run": f"{start.strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}-{uuid.uuid4().hex[:8]}",
        "host": socket.gethostname(),
        "start": start.isoformat(timespec="seconds"),
        "end": end.isoformat(timespec="seconds"),
        "seconds": round((end - start).total_seconds(), 1),
        "exit_code": exit_code,
        "exit_meaning": EXIT_CODES.get(exit_code, ""),
        "sites": sites,
        "totals": {
            "text_records": sum(s["text_records"] for s in sites),
            "revisits": sum(sum(s["revisits"].values()) for s in sites),
            "bytes_archived": sum(s["bytes_archived"] for s in sites),
            "warc_files": sum(s["warc_files"] for s in sites),
        },
    }


def report_key(report: dict) -> str:
    day = report["start"][:10].replace("-", "/")
    return f"reports/{day}/{report['run']}.json"


def write_report(settings, report: dict) -> str:
    """Put ``report`` into the run's store; returns its key."""
    from morgue.store import file_sha256, store_from_settings

    store = store_from_settings(settings)
    key = report_key(report)
    fd, name = tempfile.mkstemp(suffix=".json")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1, default=str)
        store.put_file(path, key, file_sha256(path))
    finally:
        path.unlink(missing_ok=True)
    return key


class FreeSpaceExtension:
    def __init__(self, crawler, minimum: int):
        self.crawler = crawler
        self.minimum = minimum
        self.watch: task.LoopingCall | None = None
        self.closing: asyncio.Future | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        minimum = number(crawler.settings, "MORGUE_MIN_FREE_SPACE", 1_000_000_000, minimum=0)
        if not minimum:
            raise NotConfigured("MORGUE_MIN_FREE_SPACE is 0")
        return cls(crawler, minimum)

    def _spool(self) -> Path | None:
        from morgue.extensions.upload import UploadExtension

        upload = self.crawler.get_extension(UploadExtension)
        return upload.spool.root if upload is not None else None

    def spider_opened(self) -> None:
        self.check()
        self.watch = task.LoopingCall(self.check)
        self.watch.start(2.0, now=False)

    def check(self) -> None:
        root = self._spool()
        if root is None or self.crawler.stats.get_value(meta.OUT_OF_DISK):
            return
        try:
            free = shutil.disk_usage(root).free
        except OSError:
            return
        if free >= self.minimum:
            return
        message = (f"{free / 1e6:,.0f} MB free on the spool's disk ({root}), below "
                   f"MORGUE_MIN_FREE_SPACE={self.minimum:,}")
        self.crawler.stats.set_value(meta.OUT_OF_DISK, message)
        logger.error("Out of disk space: %s; fetching stops, what was fetched is archived", message)
        # as Scrapy's CloseSpider extension does: pages fetched go on to their records, files are finished
        self.closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="out_of_disk"))

    def spider_closed(self) -> None:
        if self.watch is not None and self.watch.running:
            self.watch.stop()
