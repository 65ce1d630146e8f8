"""robots.txt fetched once per site and crawl, whatever the number of workers.

morgue's robots middleware fetches a host's robots.txt once per process. In
a distributed crawl the first worker to need it takes a lock in Redis
(``morgue:site:<site>:robots-lock:<host>``), fetches it as usual (and hands it
to its spider, which reads its ``Sitemap:`` lines), and stores what it got in
``morgue:site:<site>:robots``; the other workers wait for that and parse the
stored body. A worker that took the lock and died (its heartbeat expired: see
``inflight``) holds it no more: the next worker to look fetches robots.txt.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from morgue.distributed import crawl_redis
from morgue.distributed.lost import guarded
from morgue.distributed.registry import Keys, worker_id, worker_key
from morgue.downloadermiddlewares.robots import RobotsTxtMiddleware

LOCK_SECONDS = 120
#: stored for a robots.txt that could not be fetched: no rules, as in a single-process crawl
FAILED = b"\x00failed"


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """morgue's robots middleware, sharing each robots.txt through Redis (see the module docstring)."""

    def __init__(self, crawler: Any):
        super().__init__(crawler)
        s = crawler.settings
        self.client = crawl_redis(crawler)
        self.keys = Keys(s.get("MORGUE_DISTRIBUTED_SITE"))

    async def robot_parser(self, request: Any) -> Any:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            body = await self._shared_body(netloc)
            if body is not None and netloc not in self._parsers:
                self._parsers[netloc] = (None if body == FAILED
                                         else build_from_crawler(self._parserimpl, self.crawler, body))
                self._stats.inc_value("robotstxt/shared")
        return await super().robot_parser(request)

    @guarded()  # Redis lost: this worker fetches robots.txt itself, as its crawler closes
    async def _shared_body(self, netloc: str) -> bytes | None:
        """The body another worker stored, or None once this worker holds the lock and is to fetch it."""
        deadline = time.monotonic() + LOCK_SECONDS * 2
        while time.monotonic() < deadline:
            body = self.client.hget(self.keys.robots, netloc)
            if body is not None:
                return body
            lock = self.keys.robots_lock(netloc)
            if self.client.set(lock, worker_id(), nx=True, ex=LOCK_SECONDS):
                return None
            holder = self.client.get(lock)
            if holder is not None and not self.client.exists(worker_key(holder.decode())):
                self.client.delete(lock)  # its taker died fetching it (its heartbeat expired): fetch it here
                continue
            await asyncio.sleep(0.1)
        return None

    async def _parse_robots(self, response: Any, netloc: str, request: Any) -> None:
        self._share(netloc, response.body if 200 <= response.status < 300 else b"")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._share(netloc, FAILED)
        super()._robots_error(exc, netloc)

    @guarded()
    def _share(self, netloc: str, body: bytes) -> None:
        self.client.hset(self.keys.robots, netloc, body)


def robots_info(client: Any, site: str) -> dict[str, str]:
    """For ``morgue status``: which hosts' robots.txt the crawl holds."""
    return {k.decode(): ("failed" if v == FAILED else f"{len(v)} bytes")
            for k, v in client.hgetall(Keys(site).robots).items()}


