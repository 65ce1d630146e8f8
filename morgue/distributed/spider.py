"""The news spider of a distributed crawl: seeds from Redis, documents handed out at once, an idle exit.

The single-machine spider (``morgue.spiders.news``) is unchanged; this subclass
changes what depends on one process seeing the whole crawl:

- ``start()`` reads the site's seeds list (``morgue:site:<site>:seeds``: pushed by
  ``morgue crawl --distributed`` and ``morgue enqueue``) for as long as the crawl
  lives: whichever worker pops a seed makes its first requests (robots.txt and
  the home page, as the single-machine spider does). It returns once the site's
  frontier (queued, in flight, seeds) has been empty for ``MORGUE_IDLE_EXIT``
  seconds, so the crawler closes; with ``MORGUE_IDLE_EXIT=0`` (``morgue worker``)
  it never returns while the crawl runs.
- Sitemaps, feeds and sections go to the shared queue as soon as they are found,
  instead of waiting in the process a few at a time, and articles found by links
  are not held back until the sitemaps are read: what one process holds is lost
  if it dies, and another process's answers would never release it.
- robots.txt is fetched by whichever worker first needs it (``robots``); that
  worker's spider reads its sitemaps.

``MORGUE_MAX_PAGES`` counts per worker in a distributed crawl.

Settings: ``MORGUE_IDLE_EXIT`` (seconds, default 30; 0: never), ``MORGUE_REDIS_URL``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request

from morgue.config import number
from morgue.distributed import crawl_redis, registry
from morgue.distributed.adapter import wake_engine
from morgue.distributed.lost import REDIS_DOWN, frontier_lost
from morgue.distributed.registry import Keys, worker_id
from morgue.spiders.news import NewsSpider

logger = logging.getLogger(__name__)

#: seconds between two looks at the seeds list and the frontier
POLL = 0.5


class DistributedNewsSpider(NewsSpider):
    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> DistributedNewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.site = s.get("MORGUE_DISTRIBUTED_SITE")
        spider.idle_exit = number(s, "MORGUE_IDLE_EXIT", 30.0, float, minimum=0)
        spider.redis = crawl_redis(crawler)
        spider.documents_at_once = 10**9  # every document to the shared queue at once
        spider._robots_hosts.update(urlsplit(seed).netloc for seed in spider.seeds)
        return spider

    def _discovering(self) -> bool:
        return False  # link articles are requested at once (see the module docstring)

    async def start(self) -> AsyncIterator[Request]:
        shared = self._robots_middleware()
        keys = Keys(self.site)
        taken = keys.seeds_taken(worker_id())
        try:
            async for request in self._seeds(keys, taken, shared):
                yield request
        except REDIS_DOWN as e:
            frontier_lost(self.crawler, e)

    async def _seeds(self, keys: Keys, taken: str, shared: Any) -> AsyncIterator[Request]:
        empty_since: float | None = None
        while self.crawler.crawling:
            # Taken into this worker's list, not popped: a worker that dies before its requests are queued
            # leaves the seed to be put back (``inflight``). The engine queues each request it gets from here
            # before it asks for the next, so once the loop below is through, the seed's work is in the queue.
            seed = self.redis.lmove(keys.seeds, taken, "LEFT", "RIGHT")
            if seed is not None:
                empty_since = None
                for request in self.seed_requests(seed.decode(), shared):
                    yield request
                self.redis.lrem(taken, 1, seed)
                continue
            if registry.empty(self.redis, self.site):
                empty_since = empty_since or time.monotonic()
                if self.idle_exit and time.monotonic() - empty_since >= self.idle_exit:
                    logger.info("The frontier of %s has been empty for %g s: this worker leaves the crawl",
                                self.site, self.idle_exit)
                    return
            else:
                empty_since = None
                wake_engine(self.crawler)  # another worker's requests, now rather than in 5 s
            await asyncio.sleep(POLL)
