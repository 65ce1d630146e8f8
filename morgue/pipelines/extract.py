"""Turns fetched pages into article records in worker processes.

Extraction is CPU-bound Python over lxml, so it runs in a process pool: the
reactor never waits on it, and every core works. Back-pressure comes from
Scrapy itself: a response stays in the scraper until its item is through
this pipeline, and the engine stops fetching once those responses pass
``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, so a slow extractor slows the crawl
instead of queueing bodies without bound.

Settings: ``MORGUE_EXTRACT_WORKERS`` (processes; 0 extracts in the crawler
process), ``MORGUE_EXTRACT_TIMEOUT`` (seconds a page may take).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy.exceptions import DropItem

from morgue.extract import extract
from morgue.items import Page

logger = logging.getLogger(__name__)


def _empty(reason: str) -> dict:
    return {"text": "", "word_count": 0, "reason": reason}


class ExtractPipeline:
    def __init__(self, crawler, workers: int, timeout: float):
        self.stats = crawler.stats
        self.workers = workers
        self.timeout = timeout
        self.pool: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        workers = s.get("MORGUE_EXTRACT_WORKERS")
        workers = (os.cpu_count() or 1) if workers in (None, "") else int(workers)
        if workers < 0:
            raise ValueError(f"MORGUE_EXTRACT_WORKERS must be 0 or more, got {workers}")
        timeout = s.getfloat("MORGUE_EXTRACT_TIMEOUT", 60.0)
        return cls(crawler, workers, timeout)

    def _new_pool(self) -> Executor | None:
        if self.workers == 0:
            return None
        # forkserver: never fork a process that already runs the reactor's threads.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["morgue.extract"])
        return ProcessPoolExecutor(self.workers, mp_context=ctx)

    def open_spider(self) -> None:
        self.pool = self._new_pool()

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        body, item.body = item.body, b""
        item.article = await self._extract(body, item.url, item.encoding)
        if item.article.get("text"):
            self.stats.inc_value("extract/ok")
            return item
        self.stats.inc_value("extract/empty")
        raise DropItem(f"No article text in {item.url}: {item.article.get('reason')}", log_level="INFO")

    async def _extract(self, body: bytes, url: str, encoding: str | None) -> dict:
        if self.pool is None:
            return extract(body, url, encoding)
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self.pool, extract, body, url, encoding)
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            # The worker may be stuck on this page: start afresh rather than wait on it.
            logger.error("Extraction of %s took over %ss; restarting the extraction workers",
                         url, self.timeout)
            self._restart()
            return _empty("extraction timed out")
        except BrokenProcessPool:
            logger.error("An extraction worker died on %s; restarting the workers", url)
            self._restart()
            return _empty("extraction worker crashed")

    def _restart(self) -> None:
        self.stats.inc_value("extract/worker_restarts")
        old, self.pool = self.pool, self._new_pool()
        if old is not None:
            for proc in list(getattr(old, "_processes", {}).values()):
                proc.kill()
            old.shutdown(wait=False, cancel_futures=True)

    async def close_spider(self) -> None:
        if self.pool is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.pool.shutdown)
            self.pool = None
