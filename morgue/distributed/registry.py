"""The sites of a distributed crawl and every Redis key of a site's crawl.

``morgue:sites`` (a hash) holds each site being crawled: its seeds and its own
settings (from sites.toml). A site is registered by ``morgue crawl
--distributed`` or ``morgue enqueue``; every worker starts a crawler for each
registered site, and a site leaves the hash when its frontier has stayed empty
and its last worker has left. Registering a site that is not being crawled
starts a new crawl of it (its queue, fingerprints and shared robots.txt
cleared); registering one that is only adds its seeds, so workers started by
cron on many machines join one crawl instead of starting several.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any

from morgue.distributed import PREFIX
from morgue.store.state import site_id

SITES = PREFIX + "sites"
WORKERS = PREFIX + "workers"  # hash: worker id -> JSON (host, pid, started, sites)


def worker_key(worker: str) -> str:
    """The worker's heartbeat: a key that expires ``MORGUE_WORKER_TIMEOUT`` seconds after its last beat."""
    return f"{PREFIX}worker:{worker}"


def worker_id() -> str:
    """Host and process, as in the archive's file names: unique on a machine, readable in ``morgue status``."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one site's crawl."""

    site: str

    @property
    def base(self) -> str:
        return f"{PREFIX}site:{self.site}:"

    @property
    def requests(self) -> str:  # scrapy-redis's queue (a sorted set by priority)
        return self.base + "requests"

    @property
    def dupefilter(self) -> str:  # scrapy-redis's fingerprints (a set)
        return self.base + "dupefilter"

    @property
    def seeds(self) -> str:  # URLs to start from (a list), read by the spider's start()
        return self.base + "seeds"

    @property
    def workers(self) -> str:  # workers crawling the site (a set)
        return self.base + "workers"

    def inflight(self, worker: str) -> str:  # requests a worker took and has not finished (a hash)
        return f"{self.base}inflight:{worker}"

    def seeds_taken(self, worker: str) -> str:  # seeds a worker took and has not yet queued requests for (a list)
        return f"{self.base}seeds-taken:{worker}"

    @property
    def robots(self) -> str:  # robots.txt bodies by host (a hash)
        return self.base + "robots"

    def robots_lock(self, netloc: str) -> str:
        return f"{self.base}robots-lock:{netloc}"

    @property
    def slot(self) -> str:  # when the site may next be requested (Redis time, seconds)
        return self.base + "slot"

    @property
    def state_lock(self) -> str:
        return self.base + "state-lock"

    @property
    def pages(self) -> str:  # pages fetched per minute and worker (a hash per minute)
        return self.base + "pages"

    def crawl_keys(self) -> list[str]:
        """What a new crawl of the site starts without (in-flight hashes go with their workers)."""
        return [self.requests, self.dupefilter, self.seeds, self.robots, self.slot]


def register(client: Any, seeds: list[str], settings: dict | None = None) -> tuple[str, bool]:
    """Register a site (by its first seed) and queue its seeds; returns (site, whether a new crawl began)."""
    site = site_id(seeds[0])
    keys = Keys(site)
    lock = f"{PREFIX}register-lock:{site}"
    for _ in range(100):  # workers of many machines may register one site at the same moment
        if client.set(lock, worker_id(), nx=True, px=5000):
            break
        time.sleep(0.05)
    try:
        known = client.hget(SITES, site)
        fresh = known is None or not live_workers(client, site)
        if fresh:
            client.delete(*keys.crawl_keys())
            client.hset(SITES, site, json.dumps({"seeds": seeds, "settings": settings or {},
                                                 "started": time.time(), "crawl": uuid.uuid4().hex}))
            client.rpush(keys.seeds, *seeds)
        elif known is not None:
            entry = json.loads(known)
            new = [s for s in seeds if s not in entry["seeds"]]
            if new:  # a seed the crawl has not had yet
                entry["seeds"] += new
                client.hset(SITES, site, json.dumps(entry))
                client.rpush(keys.seeds, *new)
    finally:
        client.delete(lock)
    return site, fresh


def enqueue(client: Any, url: str) -> tuple[str, bool]:
    """Push a URL into the running crawl of its site, or start a crawl of its site; returns (site, new)."""
    site = site_id(url)
    if client.hget(SITES, site) is None:
        return register(client, [url])
    client.rpush(Keys(site).seeds, url)
    return site, False


def sites(client: Any) -> dict[str, dict]:
    return {k.decode(): json.loads(v) for k, v in client.hgetall(SITES).items()}


def live_workers(client: Any, site: str) -> list[str]:
    """The site's workers whose heartbeat has not expired."""
    members = sorted(m.decode() for m in client.smembers(Keys(site).workers))
    if not members:
        return []
    pipe = client.pipeline()
    for w in members:
        pipe.exists(worker_key(w))
    return [w for w, ok in zip(members, pipe.execute(), strict=True) if ok]


def frontier(client: Any, site: str) -> dict[str, int]:
    """Queued requests, requests in flight (taken by a worker, not finished) and seeds not yet read."""
    keys = Keys(site)
    workers = [m.decode() for m in client.smembers(keys.workers)]
    pipe = client.pipeline()
    pipe.zcard(keys.requests)
    pipe.llen(keys.seeds)
    pipe.scard(keys.dupefilter)
    for w in workers:
        pipe.hlen(keys.inflight(w))
        pipe.llen(keys.seeds_taken(w))
    queued, seeds, seen, *counts = pipe.execute()
    inflight = [a + b for a, b in zip(counts[::2], counts[1::2], strict=True)]  # a seed taken counts as in flight
    return {"queued": queued, "seeds": seeds, "seen": seen, "in_flight": sum(inflight),
            "in_flight_by_worker": dict(zip(workers, inflight, strict=True))}


def empty(client: Any, site: str) -> bool:
    counts = frontier(client, site)
    return not (counts["queued"] or counts["seeds"] or counts["in_flight"])


def finish(client: Any, site: str) -> None:
    """The site's crawl is over (its frontier empty, no worker left): it leaves the registry."""
    if not live_workers(client, site) and empty(client, site):
        client.hdel(SITES, site)
