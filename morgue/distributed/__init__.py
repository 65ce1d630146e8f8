"""Many crawler processes, on many machines, over one frontier in Redis (``--distributed``).

The frontier is scrapy-redis's: its scheduler keeps each site's queue of
requests in a Redis sorted set and its dupefilter each site's request
fingerprints in a Redis set, so a URL is fetched once whichever worker finds
it. morgue adds, each in a module of its own:

- ``adapter``: what scrapy-redis 0.9.1 needs to run under Scrapy 2.19 and morgue (and why);
- ``registry``: the sites being crawled, their seeds, and every Redis key of a site's crawl;
- ``inflight``: the requests each worker has taken and not finished, its heartbeat, and the
  return to the queue of a dead worker's requests;
- ``politeness``: one request at a time per site and delay, across all workers;
- ``robots``: robots.txt fetched once per site and crawl, shared through Redis;
- ``spider``: the news spider reading its seeds from Redis, ending when the frontier stays empty;
- ``state``: the incremental state saved by several workers without losing any one's updates;
- ``lock``: the store's per-site lock, held by the distributed crawl as a whole;
- ``runner``: a worker process, one crawler per site, joining sites as they are enqueued;
- ``lost``: Redis gone mid-crawl: one line, the crawlers close, nothing fetched is lost.

Without ``--distributed`` none of this is imported: the single-machine crawl is unchanged.
"""

from __future__ import annotations

from typing import Any

#: every key morgue writes starts with this
PREFIX = "morgue:"


class RedisUnusable(Exception):
    """MORGUE_REDIS_URL is missing, malformed or unreachable: the one line the CLI prints."""


def redis_url(settings: Any) -> str:
    return str(settings.get("MORGUE_REDIS_URL") or "").strip()


#: one client (and its connection pool) per URL and process, shared by every component of every site's crawler
_CLIENTS: dict[str, Any] = {}


def crawl_redis(crawler: Any) -> Any:
    """The Redis client of a crawler's ``MORGUE_REDIS_URL``: what each distributed component talks to."""
    return connect(crawler.settings.get("MORGUE_REDIS_URL"))


def connect(url: str, timeout: float = 5.0) -> Any:
    """The Redis client for ``url``, proven to answer PING when first made; ``RedisUnusable`` naming the URL
    otherwise. Made once per process: a worker's crawlers (one per site) and their components share it."""
    import redis

    url = str(url or "").strip()
    if url in _CLIENTS:
        return _CLIENTS[url]
    if not url:
        raise RedisUnusable("MORGUE_REDIS_URL is not set: the distributed crawl's Redis server, "
                            "e.g. MORGUE_REDIS_URL=redis://HOST:6379/0")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=30,
                                      health_check_interval=30)
        client.ping()
    except ValueError as e:
        raise RedisUnusable(f"invalid MORGUE_REDIS_URL={url!r}: {e}") from None
    except redis.RedisError as e:
        raise RedisUnusable(f"cannot reach MORGUE_REDIS_URL={url!r}: {e}") from None
    _CLIENTS[url] = client
    return client
