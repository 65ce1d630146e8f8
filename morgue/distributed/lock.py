"""The per-site lock of the store (``locks/<site>.lock``), held by a distributed crawl as a whole.

A single-machine run takes the lock for itself and refuses a second run (exit
5). In a distributed crawl the lock belongs to the crawl, not to a worker: the
first worker takes it under the crawl's ID (made when the site was registered
in Redis), the others find it held by their own crawl and join; every worker
renews its heartbeat; the last worker to leave a finished crawl releases it. So
a single-machine run of a site being crawled by workers is refused, and the
other way round, as between two single-machine runs. A crawl whose workers all
died leaves the lock to go stale (``MORGUE_LOCK_STALE``), as a killed run does.

The lock's ``host`` names the distributed crawl: a crawl outlives the worker
that took the lock, so its process ID says nothing of whether the crawl lives.

Settings: ``MORGUE_LOCK_ENABLED``, ``MORGUE_LOCK_STALE`` (as for single-machine runs).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from scrapy.exceptions import NotConfigured

from morgue.config import flag, number
from morgue.distributed import crawl_redis, registry
from morgue.distributed.lost import REDIS_DOWN
from morgue.extensions.lock import LockExtension
from morgue.store import StoreError, store_from_settings
from morgue.store.lock import LockHeld, StoreLock
from morgue.store.state import site_id

logger = logging.getLogger(__name__)


class DistributedLockExtension(LockExtension):
    """The single-machine lock extension, but taking or joining the crawl's lock, and releasing it last."""

    def __init__(self, crawler: Any, lock: StoreLock, client: Any, site: str):
        super().__init__(crawler, lock)
        self.client = client
        self.site = site

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedLockExtension:
        s = crawler.settings
        if not flag(s, "MORGUE_LOCK_ENABLED", True):
            raise NotConfigured("MORGUE_LOCK_ENABLED is off")
        seeds = getattr(crawler.spider, "seeds", None) or []
        site = s.get("MORGUE_DISTRIBUTED_SITE")
        if not seeds or not site:
            raise NotConfigured
        client = crawl_redis(crawler)
        crawl = (registry.sites(client).get(site) or {}).get("crawl") or "unknown"
        stale = number(s, "MORGUE_LOCK_STALE", 900.0, float, minimum=1)
        try:
            lock = StoreLock(store_from_settings(s), site_id(seeds[0]), stale)
            lock.run = crawl
            lock.info.update(run=crawl, host=f"{socket.gethostname()} (a distributed crawl)")
            try:
                lock.acquire()
            except LockHeld:
                holder = lock.holder()
                if not holder or holder.get("run") != crawl:
                    raise
                lock.held = True  # our crawl's: joined
        except StoreError as e:
            raise ValueError(str(e)) from None
        return cls(crawler, lock, client, site)

    def engine_stopped(self) -> None:
        self.stop_beating()
        try:
            others = [w for w in registry.live_workers(self.client, self.site) if w != registry.worker_id()]
            over = not others and registry.empty(self.client, self.site)
        except REDIS_DOWN:
            return  # whether the crawl is over cannot be told: the lock goes stale (MORGUE_LOCK_STALE)
        if over:
            self.lock.release()  # the crawl is over
