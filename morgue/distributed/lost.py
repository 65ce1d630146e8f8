"""Redis gone in the middle of a distributed crawl: one line, the crawler closes, nothing fetched is lost.

Each call into Redis made while a site is crawled goes through ``guarded`` (or
``frontier_lost`` where a method cannot be wrapped whole). The first failure to
reach the server logs one error line naming ``MORGUE_REDIS_URL`` and closes the
crawler (reason ``frontier_lost``), so the pages it fetched are extracted, written
and uploaded as at any other close; the run ends with exit code 1 and that line.
Requests it had taken stay in its in-flight hash: once Redis is back, another
worker finds this one's heartbeat expired and queues them again.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import redis
from scrapy.utils.defer import deferred_from_coro

from morgue import meta

logger = logging.getLogger(__name__)

#: what a lost server raises (a refused or dropped connection, a reply that never came)
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)
REASON = "frontier_lost"


def frontier_lost(crawler: Any, error: BaseException) -> None:
    """Say once that Redis cannot be reached, and close ``crawler``."""
    if crawler is None or crawler.stats.get_value(meta.FRONTIER_LOST):
        return
    url = crawler.settings.get("MORGUE_REDIS_URL")
    message = f"lost the Redis frontier (MORGUE_REDIS_URL={url}): {error}"
    crawler.stats.set_value(meta.FRONTIER_LOST, message)
    logger.error("%s; this worker stops, and what it fetched is archived", message[0].upper() + message[1:])
    if crawler.engine is not None and crawler.crawling:
        deferred_from_coro(crawler.engine.close_spider_async(reason=REASON))


def guarded(default: Any = None) -> Callable[[Callable], Callable]:
    """A method of an object with a ``crawler``: a lost Redis becomes ``frontier_lost`` and ``default``.

    Not for signal handlers: Scrapy passes a handler the arguments its own signature names,
    and this wrapper's signature names them all.
    """

    def wrap(method: Callable) -> Callable:
        if inspect.iscoroutinefunction(method):
            @functools.wraps(method)
            async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    return await method(self, *args, **kwargs)
                except REDIS_DOWN as e:
                    frontier_lost(self.crawler, e)
                    return default

            return run_async

        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except REDIS_DOWN as e:
                frontier_lost(self.crawler, e)
                return default

        return run

    return wrap
