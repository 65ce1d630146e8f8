"""Requests in flight, the worker's heartbeat, and the requests of a dead worker put back in the queue.

``RedisScheduler`` keeps each request a worker takes in the worker's in-flight
hash (``morgue:site:<site>:inflight:<worker>``). The entry is removed once the
request is finished: its response handled by the spider (all the requests and
items it led to are queued), and the items it yielded through the pipelines (their
text records written), or its failure final (retries exhausted, robots.txt
forbids it), or the request queued again (a redirect, a retry). A response
that ends elsewhere (a middleware dropping it) is finished 30 s after it arrived.

Each worker renews ``morgue:worker:<worker>`` every quarter of
``MORGUE_WORKER_TIMEOUT`` seconds (default 60) with an expiry of that timeout.
A worker whose key has expired is dead (killed, its machine gone): the first
other worker to notice moves its in-flight requests back into the queue, where
any worker takes them. A worker alive but stalled for longer than the timeout
has its requests fetched twice; nothing is lost either way.

The extension also counts pages per minute and worker (for ``morgue status``) and,
when the spider closes with requests still in flight (interrupted), puts them back.

Settings: ``MORGUE_WORKER_TIMEOUT``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from morgue.config import number
from morgue.distributed import crawl_redis
from morgue.distributed.adapter import INFLIGHT
from morgue.distributed.lost import REDIS_DOWN, frontier_lost, guarded
from morgue.distributed.registry import WORKERS, Keys, worker_id, worker_key

logger = logging.getLogger(__name__)

#: seconds after its response arrived that a request is finished, whatever became of the response
ANSWERED_GRACE = 30.0

# Move every entry of a dead worker's in-flight hash (KEYS[1]) back into the queue (KEYS[2]), and the seeds it
# had taken (KEYS[3]) back to the front of the seeds list (KEYS[4]).
REQUEUE = """
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, '|', 1, true)
  redis.call('ZADD', KEYS[2], string.sub(v, 1, sep - 1), string.sub(v, sep + 1))
end
redis.call('DEL', KEYS[1])
local seeds = redis.call('LRANGE', KEYS[3], 0, -1)
for i = #seeds, 1, -1 do
  redis.call('LPUSH', KEYS[4], seeds[i])
end
redis.call('DEL', KEYS[3])
return #all / 2 + #seeds
"""


class InflightExtension:
    def __init__(self, crawler: Any, client: Any, site: str, timeout: float):
        self.crawler = crawler
        self.client = client
        self.keys = Keys(site)
        self.site = site
        self.worker = worker_id()
        self.timeout = timeout
        self.answered: dict[str, float] = {}
        #: items on their way through the pipelines, by URL -> the tokens of the requests they came from
        self.items: dict[str, list[str]] = {}
        self.pending: dict[str, int] = {}  # token -> its items not yet through the pipelines
        self.ended: set[str] = set()  # tokens whose callback output ended while items were pending
        self._requeue = client.register_script(REQUEUE)
        self.beating: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightExtension:
        s = crawler.settings
        site = s.get("MORGUE_DISTRIBUTED_SITE")
        if not site:
            raise NotConfigured("not a distributed crawl")
        timeout = number(s, "MORGUE_WORKER_TIMEOUT", 60.0, float, minimum=1)
        return cls(crawler, crawl_redis(crawler), site, timeout)

    def spider_opened(self) -> None:
        self.started = time.time()
        self.beat()
        self.beating = task.LoopingCall(self.beat)
        self.beating.start(self.timeout / 4, now=False)

    @guarded()
    def beat(self) -> None:
        """Renew the heartbeat; finish requests whose response went astray; requeue dead workers' requests."""
        pipe = self.client.pipeline()
        pipe.set(worker_key(self.worker), self.site, ex=max(1, round(self.timeout)))
        # again at each beat: a worker stalled past the timeout, taken for dead, is one of the site's again
        pipe.sadd(self.keys.workers, self.worker)
        pipe.hset(WORKERS, self.worker, json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                                    "started": self.started}))
        pipe.execute()
        now = time.monotonic()
        for token, when in list(self.answered.items()):
            if now - when > ANSWERED_GRACE and token not in self.pending:
                self.done(token)
        self.requeue_dead()

    def requeue_dead(self) -> int:
        moved = 0
        for member in self.client.smembers(self.keys.workers):
            other = member.decode()
            if other == self.worker or self.client.exists(worker_key(other)):
                continue
            count = self._requeue(keys=self._requeue_keys(other))
            self.client.srem(self.keys.workers, other)
            self.client.hdel(WORKERS, other)
            moved += count
            logger.warning("Worker %s stopped beating: its %d requests in flight are queued again", other, count)
            if count:
                self.crawler.stats.inc_value("distributed/requeued", count)
        return moved

    def _requeue_keys(self, worker: str) -> list[str]:
        return [self.keys.inflight(worker), self.keys.requests, self.keys.seeds_taken(worker), self.keys.seeds]

    def item_taken(self, token: str | None, item: Any) -> None:
        """An item of the response of ``token``: the request is finished once the item is through the pipelines
        (its text record written), not when it leaves the callback."""
        url = _item_url(item)
        if token is None or url is None:
            return
        self.items.setdefault(url, []).append(token)
        self.pending[token] = self.pending.get(token, 0) + 1

    def item_done(self, item: Any) -> None:
        tokens = self.items.get(_item_url(item) or "")
        if not tokens:
            return
        token = tokens.pop(0)
        if not tokens:
            del self.items[_item_url(item)]
        self.pending[token] -= 1
        if not self.pending[token]:
            del self.pending[token]
            if token in self.ended:
                self.ended.discard(token)
                self.done(token)

    def output_ended(self, token: str | None) -> None:
        if token is not None and self.pending.get(token):
            self.ended.add(token)
        else:
            self.done(token)

    @guarded()
    def done(self, token: str | None) -> None:
        if token is None:
            return
        self.answered.pop(token, None)
        if self.client.hdel(self.keys.inflight(self.worker), token):
            minute = int(time.time() // 60)
            pipe = self.client.pipeline()
            pipe.hincrby(f"{self.keys.pages}:{minute}", self.worker, 1)
            pipe.expire(f"{self.keys.pages}:{minute}", 900)
            pipe.execute()

    def spider_closed(self) -> None:
        # not ``guarded``: a signal handler's own signature tells Scrapy what arguments it takes
        if self.beating is not None and self.beating.running:
            self.beating.stop()
        try:
            left = self._requeue(keys=self._requeue_keys(self.worker))
            self.client.srem(self.keys.workers, self.worker)
        except REDIS_DOWN as e:  # they wait in Redis, for another worker to find this one's heartbeat gone
            frontier_lost(self.crawler, e)
            return
        if left:
            logger.info("%d requests in flight queued again for other workers", left)


class InflightMiddleware:
    """Downloader and spider middleware telling the extension when a request taken from Redis is finished.

    As a downloader middleware (outermost: order 10) it sees a request's final
    failure and its final response; as a spider middleware (outermost: order 10)
    it sees the end of the callback's output.
    """

    def __init__(self, extension: InflightExtension):
        self.extension = extension

    @classmethod
    def from_crawler(cls, crawler: Any) -> InflightMiddleware:
        extension = crawler.get_extension(InflightExtension)
        if extension is None:
            raise NotConfigured("not a distributed crawl")
        return cls(extension)

    # downloader middleware
    def process_response(self, request: Any, response: Any) -> Any:
        token = request.meta.get(INFLIGHT)
        if token is not None:
            self.extension.answered[token] = time.monotonic()
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        self.extension.done(request.meta.get(INFLIGHT))

    # spider middleware
    def process_spider_output(self, response: Any, result: Iterable[Any]) -> Iterable[Any]:
        token = response.meta.get(INFLIGHT)
        for item in result:
            if not isinstance(item, Request):
                self.extension.item_taken(token, item)
            yield item
        self.extension.output_ended(token)

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        token = response.meta.get(INFLIGHT)
        async for item in result:
            if not isinstance(item, Request):
                self.extension.item_taken(token, item)
            yield item
        self.extension.output_ended(token)

    def process_spider_exception(self, response: Any, exception: Exception) -> None:
        self.extension.done(response.meta.get(INFLIGHT))


def _item_url(item: Any) -> str | None:
    """An item's URL: a page's, or its text record's (what the text pipeline passes on)."""
    url = item.get("url") if isinstance(item, dict) else getattr(item, "url", None)
    return url if isinstance(url, str) else None
