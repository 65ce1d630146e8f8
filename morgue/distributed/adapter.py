"""scrapy-redis 0.9.1 adapted to Scrapy 2.19 and to morgue: what was changed, and why.

morgue uses scrapy-redis's ``Scheduler`` (the queue: ``PriorityQueue``, a Redis
sorted set) and its ``RFPDupeFilter`` (fingerprints in a Redis set) unchanged
in their Redis layout. What is adapted, here and nowhere else:

1. **Start URLs.** scrapy-redis's ``RedisSpider`` mixin reads start URLs in
   ``start_requests``, which Scrapy no longer calls since 2.16 (scrapy-redis PR
   #316, still open, adds ``async def start()``). morgue does not use the mixin:
   ``morgue.distributed.spider`` has its own ``async def start()`` reading the
   site's seeds list. Its pipeline (``RedisPipeline``) and stats collector, which
   use signatures Scrapy deprecates, are not used either: items go to morgue's
   pipelines and stats stay per process (``morgue status`` reads Redis).
2. **Several workers, one queue.** scrapy-redis's scheduler clears the queue and
   the fingerprints when a spider closes unless ``SCHEDULER_PERSIST`` is on: the
   first worker to finish would wipe the frontier of the others. It is always on
   here; a site's keys are cleared when a new crawl of it begins (``registry``).
3. **Requests in flight.** scrapy-redis pops a request and forgets it: a worker
   killed with requests taken loses them. ``RedisScheduler.next_request`` moves
   the request, in one Lua script, from the queue into the worker's in-flight hash;
   ``morgue.distributed.inflight`` removes it when its response has been handled
   and puts a dead worker's back into the queue.
4. **Keys per site.** ``SCHEDULER_QUEUE_KEY`` and ``SCHEDULER_DUPEFILTER_KEY`` are
   set per site (``morgue:site:<site>:requests``), not per spider name: every
   site is crawled by the same ``news`` spider.
5. **Requests go back to the queue.** A redirect or a retry arrives at
   ``enqueue_request`` as a new request with ``dont_filter``: the in-flight entry
   of the request it replaces is removed as it is queued again.
6. **Deprecated calls.** scrapy-redis's ``Scheduler.open`` logs through ``Spider.log()``
   and its ``enqueue_request``/``next_request`` pass ``spider=`` to the stats
   collector, both deprecated in Scrapy 2.19 (warnings morgue's tests make errors):
   those three methods are rewritten here, doing what scrapy-redis's do.
7. **Waking the engine.** Requests another worker queued wait for the engine's
   next heartbeat (5 s) unless the engine is asked to look at the scheduler now;
   Scrapy has no public call for that, so ``wake_engine`` schedules the engine
   slot's ``nextcall``: the one private name of Scrapy read in this package.

Pinned: ``scrapy-redis>=0.9.1,<0.10``, ``redis>=5``. Settings (``distributed_settings``
sets Scrapy's and scrapy-redis's from them): ``MORGUE_REDIS_URL``.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler

from morgue.distributed.lost import guarded
from morgue.distributed.registry import Keys, worker_id

logger = logging.getLogger(__name__)

#: request meta key: the request's entry in its worker's in-flight hash
INFLIGHT = "morgue_inflight"

# Pop the best request (lowest score: scrapy-redis scores by -priority) and keep it, with its score,
# in the worker's in-flight hash under ARGV[1]: atomic, so a worker killed between the two loses nothing.
POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], ARGV[1], r[2] .. '|' .. r[1])
return r[1]
"""


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler, popping into the worker's in-flight hash (see the module docstring)."""

    _tokens = itertools.count(1)

    @property
    def crawler(self) -> Any:  # whom a lost Redis closes (``morgue.distributed.lost``)
        return getattr(getattr(self, "spider", None), "crawler", None)

    @guarded(default=False)
    def has_pending_requests(self) -> bool:
        return super().has_pending_requests()

    def open(self, spider: Any) -> None:
        # scrapy-redis's own, without its ``spider.log()`` call (deprecated in Scrapy 2.19: see 6. above)
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            logger.info("Joining a crawl with %d requests queued", len(self.queue))
        self.keys = Keys(spider.settings.get("MORGUE_DISTRIBUTED_SITE"))
        self.worker = worker_id()
        self.inflight_key = self.keys.inflight(self.worker)
        self._pop = self.server.register_script(POP)

    @guarded(default=False)
    def enqueue_request(self, request: Any) -> bool:
        # scrapy-redis's own, without the ``spider`` argument to stats that Scrapy 2.19 deprecates
        token = request.meta.pop(INFLIGHT, None)
        queued = request.dont_filter or not self.df.request_seen(request)
        if queued:
            self.queue.push(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
        if token is not None:  # a redirect or retry of a request taken from the queue: that one is done
            self.server.hdel(self.inflight_key, token)
        return queued

    @guarded()
    def next_request(self) -> Any:
        token = f"{next(self._tokens)}"
        data = self._pop(keys=[self.queue.key, self.inflight_key], args=[token])
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta[INFLIGHT] = token
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


def distributed_settings(settings: Any, site: str) -> None:
    """Point one site's crawler at its frontier in Redis (scrapy-redis's settings, at command-line priority)."""
    keys = Keys(site)
    for name, value in {
        "SCHEDULER": "morgue.distributed.adapter.RedisScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # see 2. above
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "REDIS_URL": str(settings.get("MORGUE_REDIS_URL")),
        "MORGUE_DISTRIBUTED_SITE": site,
    }.items():
        settings.set(name, value, priority="cmdline")


def wake_engine(crawler: Any) -> None:
    """Have the engine look at the scheduler now (adaptation 7)."""
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()
