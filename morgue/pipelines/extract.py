"""Turns fetched pages into article records in worker processes.

Extraction is CPU-bound Python over lxml, so it runs in a process pool: the
reactor never waits on it, and every core works. Back-pressure comes from
Scrapy itself: a response stays in the scraper until its item is through
this pipeline, and the engine stops fetching once those responses pass
``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, so a slow extractor slows the crawl
instead of queueing bodies without bound.

Settings: ``MORGUE_EXTRACT_WORKERS`` (processes; 0 extracts in the crawler
process), ``MORGUE_EXTRACT_TIMEOUT`` (seconds a page may take),
``MORGUE_EXTRACT_RECYCLE`` (pages after which the workers are replaced; 0 never).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import weakref
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy.exceptions import DropItem

from morgue import meta
from morgue.config import number
from morgue.extraction import extract, worker
from morgue.items import Page

logger = logging.getLogger(__name__)


def _empty(reason: str) -> dict:
    return {"text": "", "word_count": 0, "reason": reason}


class ExtractPipeline:
    def __init__(self, crawler, workers: int, timeout: float, recycle: int):
        self.stats = crawler.stats
        self.workers = workers
        self.timeout = timeout
        self.recycle = recycle
        self.pool: Executor | None = None
        self._pool_pages = 0
        self._blamed: weakref.WeakSet[Executor] = weakref.WeakSet()  # broken pools, a page blamed
        self._recycling: asyncio.Event | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        workers = number(s, "MORGUE_EXTRACT_WORKERS", os.cpu_count() or 1, minimum=0)
        timeout = number(s, "MORGUE_EXTRACT_TIMEOUT", 60.0, float, minimum=0.1)
        recycle = number(s, "MORGUE_EXTRACT_RECYCLE", 10000, minimum=0)
        return cls(crawler, workers, timeout, recycle)

    def _new_pool(self) -> Executor | None:
        self._pool_pages = 0
        if self.workers == 0:
            return None
        # forkserver: never fork a process that already runs the reactor's threads. It preloads
        # only the small module that names the workers' functions (not __main__, which may be
        # Scrapy's whole command line); each worker loads the extractor as it starts.
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["morgue.extraction.worker"])
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=worker.start)

    def open_spider(self) -> None:
        self.pool = self._new_pool()

    async def process_item(self, item):
        if not isinstance(item, Page):
            return item
        body, item.body = item.body, b""
        item.article = await self._extract(body, item.url, item.encoding)
        if item.article.get("text"):
            self.stats.inc_value(meta.EXTRACT_OK)
            return item
        self.stats.inc_value(meta.EXTRACT_EMPTY)
        raise DropItem(f"No article text in {item.url}: {item.article.get('reason')}", log_level="INFO")

    async def _extract(self, body: bytes, url: str, encoding: str | None) -> dict:
        if self.pool is None:
            return extract(body, url, encoding)
        loop = asyncio.get_running_loop()
        if self._recycling is not None:
            await self._recycling.wait()
        elif self.recycle and self._pool_pages >= self.recycle:
            await self._recycle(loop)
        for _attempt in range(2):
            pool = self.pool
            self._pool_pages += 1
            try:
                future = loop.run_in_executor(pool, worker.extract_page, body, url, encoding)
                return await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                if pool is not self.pool:
                    continue  # it waited behind a page that got its pool replaced: try the new one
                logger.error("Extraction of %s took over %ss; restarting the extraction workers",
                             url, self.timeout)
                self._replace_pool()
                return _empty("extraction timed out")
            except asyncio.CancelledError:
                if pool is self.pool:
                    raise  # the crawl itself is stopping
                # queued in a pool that was replaced meanwhile: try again in the new one
            except BrokenProcessPool:
                if pool not in self._blamed:  # the first page to see its pool break: the likely culprit
                    self._blamed.add(pool)
                    logger.error("An extraction worker died on %s; restarting the workers", url)
                    if pool is self.pool:
                        self._replace_pool()
                    break
        return _empty("extraction worker crashed or was replaced twice")

    async def _recycle(self, loop) -> None:
        """Fresh workers from time to time: lxml and Python never give all memory back.

        The old workers finish their pages and exit before new ones start, so that two sets
        never hold memory at once; pages arriving meanwhile wait (a fraction of a second).
        """
        self._recycling = asyncio.Event()
        try:
            old = self.pool
            if old is not None:
                await loop.run_in_executor(None, old.shutdown)
            self.pool = self._new_pool()
            self.stats.inc_value(meta.EXTRACT_WORKER_RECYCLES)
        finally:
            self._recycling.set()
            self._recycling = None

    def _replace_pool(self) -> None:
        """Replace a pool that broke or got stuck: kill its workers, drop its queue."""
        self.stats.inc_value(meta.EXTRACT_WORKER_RESTARTS)
        old, self.pool = self.pool, self._new_pool()
        if old is None:
            return
        for proc in list((getattr(old, "_processes", None) or {}).values()):
            proc.kill()
        old.shutdown(wait=False, cancel_futures=True)

    async def close_spider(self) -> None:
        if self.pool is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.pool.shutdown)
            self.pool = None
