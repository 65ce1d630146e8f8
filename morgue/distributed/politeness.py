"""The per-site rate limit, held across every worker: one request per ``MORGUE_SITE_DELAY`` seconds per site.

Each worker's Scrapy would space its own requests ``DOWNLOAD_DELAY`` apart:
with N workers a site would see N times the rate it was promised. In a
distributed crawl the delay is a slot in Redis instead (``morgue:site:<site>:slot``:
when the site may next be asked, in Redis's own clock so machines' clocks do
not matter). A request reserves the next free time, in one Lua script, and
waits until then; requests are thus spaced the delay apart whichever worker
sends them. Scrapy's own ``DOWNLOAD_DELAY`` is set to 0 for the crawl (the slot
replaces it); AutoThrottle, when on, still slows each worker down further.

Settings: ``MORGUE_SITE_DELAY`` (seconds; default: the site's ``DOWNLOAD_DELAY``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy.exceptions import NotConfigured

from morgue.config import number
from morgue.distributed import crawl_redis
from morgue.distributed.lost import guarded
from morgue.distributed.registry import Keys

# KEYS[1]: the slot; ARGV[1]: the delay in microseconds. Returns microseconds to wait.
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', 600000)
return at - now
"""


class SiteSlotMiddleware:
    def __init__(self, client: Any, site: str, delay: float, crawler: Any = None):
        self.crawler = crawler
        self.client = client
        self.slot = Keys(site).slot
        self.delay_us = int(delay * 1_000_000)
        self._reserve = client.register_script(RESERVE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SiteSlotMiddleware:
        s = crawler.settings
        site = s.get("MORGUE_DISTRIBUTED_SITE")
        if not site:
            raise NotConfigured("not a distributed crawl")
        delay = number(s, "MORGUE_SITE_DELAY", 0.0, float, minimum=0)
        if delay <= 0:
            raise NotConfigured  # no delay asked for: nothing to hold (and nothing to warn of)
        return cls(crawl_redis(crawler), site, delay, crawler)

    @guarded()  # the crawler closes; what is being fetched finishes
    async def process_request(self, request: Any) -> None:
        wait = self._reserve(keys=[self.slot], args=[self.delay_us])
        if wait > 0:
            await asyncio.sleep(wait / 1_000_000)
