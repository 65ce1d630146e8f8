"""Turns fetched pages into article records in worker processes.

The workers, their time limit, restarts and recycling are
``morgue.extraction.pool``'s; this is the Scrapy side: settings, stats, and
``DropItem`` for a page without article text. Back-pressure comes from
Scrapy itself: a response stays in the scraper until its item is through
this pipeline, and the engine stops fetching once those responses pass
``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, so a slow extractor slows the crawl
instead of queueing bodies without bound.

If the workers cannot start, that is one error line, and the crawl extracts
in its own process instead (as with ``MORGUE_EXTRACT_WORKERS=0``: no time
limit per page).

Settings: ``MORGUE_EXTRACT_WORKERS`` (processes; 0 extracts in the crawler
process), ``MORGUE_EXTRACT_TIMEOUT`` (seconds a worker may spend on a page),
``MORGUE_EXTRACT_RECYCLE`` (pages after which the workers are replaced; 0 never).
"""

from __future__ import annotations

import logging
import os

from scrapy.exceptions import DropItem

from morgue import meta
from morgue.config import number
from morgue.extraction import extract, worker
from morgue.extraction.pool import ExtractionPool, PageFailed, WorkersUnavailable
from morgue.items import Page

logger = logging.getLogger(__name__)


def _empty(reason: str) -> dict:
    return {"text": "", "word_count": 0, "reason": reason}


class ExtractPipeline:
    def __init__(self, crawler, pool: ExtractionPool | None):
        self.stats = crawler.stats
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        workers = number(s, "MORGUE_EXTRACT_WORKERS", os.cpu_count() or 1, minimum=0)
        timeout = number(s, "MORGUE_EXTRACT_TIMEOUT", 60.0, float, minimum=0.1)
        recycle = number(s, "MORGUE_EXTRACT_RECYCLE", 10000, minimum=0)
        pool = None
        if workers:
            pool = ExtractionPool(workers, timeout, recycle, function=worker.extract_page, initializer=worker.start)
        return cls(crawler, pool)

    async def open_spider(self) -> None:
        if self.pool is not None:
            try:
                await self.pool.start()
            except WorkersUnavailable as e:
                self._in_process(e)

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
        pool = self.pool
        if pool is None:
            return extract(body, url, encoding)
        try:
            return await pool.run(body, url, encoding)
        except PageFailed as e:
            logger.error("Extraction of %s given up: %s", url, e.reason)
            return _empty(e.reason)
        except WorkersUnavailable as e:
            self._in_process(e)
            return extract(body, url, encoding)
        finally:
            for key, value in ((meta.EXTRACT_WORKER_RESTARTS, pool.restarts),
                               (meta.EXTRACT_WORKER_RECYCLES, pool.recycles)):
                if value:
                    self.stats.set_value(key, value)

    def _in_process(self, error: WorkersUnavailable) -> None:
        if self.pool is None:
            return
        self.pool = None
        self.stats.set_value(meta.EXTRACT_IN_PROCESS, True)
        logger.error("%s; extracting in the crawler process instead (no time limit per page)", error)

    async def close_spider(self) -> None:
        if self.pool is not None:
            await self.pool.close()
