"""A worker process: one crawler per site of the distributed crawl, joining sites as they are enqueued.

``morgue crawl --distributed`` registers its sites, then crawls every site
registered in Redis (its own and any enqueued meanwhile) and exits once none
of its crawlers runs and no registered site has work left; each site's
crawler closes when the site's frontier has been empty for ``MORGUE_IDLE_EXIT``
seconds. ``morgue worker`` does the same but never exits on its own: it keeps
looking for sites to crawl (Ctrl-C or SIGTERM end it, as they end a crawl).
The summary, the run report and the exit code are those of ``morgue crawl``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from morgue import meta
from morgue.cli.common import EXIT_INTERRUPTED, EXIT_NO_ARTICLES, EXIT_OK, fail
from morgue.distributed import RedisUnusable, connect, redis_url, registry
from morgue.distributed.adapter import distributed_settings

logger = logging.getLogger(__name__)

#: seconds between two looks at the registry for sites to join
WATCH = 1.0

DOWNLOADER_MIDDLEWARES = {
    "morgue.downloadermiddlewares.robots.RobotsTxtMiddleware": None,
    "morgue.distributed.robots.SharedRobotsTxtMiddleware": 100,
    "morgue.distributed.politeness.SiteSlotMiddleware": 110,
    "morgue.distributed.inflight.InflightMiddleware": 10,
}
SPIDER_MIDDLEWARES = {"morgue.distributed.inflight.InflightMiddleware": 10}
EXTENSIONS = {
    "morgue.extensions.state.StateExtension": None,
    "morgue.distributed.state.DistributedStateExtension": 90,
    "morgue.distributed.inflight.InflightExtension": 70,
    # The store lock, held by the crawl as a whole rather than by one process (see morgue.distributed.lock)
    "morgue.extensions.lock.LockExtension": None,
    "morgue.distributed.lock.DistributedLockExtension": 80,
}


def site_settings(settings: Any, site: str, own: dict | None = None) -> Any:
    """The settings of one site's crawler: the run's, the site's own (sites.toml), its frontier in Redis."""
    result = settings.copy()
    for name, value in (own or {}).items():
        result.set(name, value, priority="cmdline")
    distributed_settings(result, site)
    if result.get("MORGUE_SITE_DELAY") in (None, ""):
        result.set("MORGUE_SITE_DELAY", result.getfloat("DOWNLOAD_DELAY"), priority="cmdline")
    result.set("DOWNLOAD_DELAY", 0, priority="cmdline")  # the global slot replaces it (politeness)
    # A crawler takes from the shared queue as many requests as it may have in its downloader: no more than it
    # can fetch from its one site at once, or the first worker would hold what the others should be fetching.
    per_site = result.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    if result.getint("CONCURRENT_REQUESTS") > per_site:
        result.set("CONCURRENT_REQUESTS", per_site, priority="cmdline")
    for name, components in (("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES),
                             ("SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARES), ("EXTENSIONS", EXTENSIONS)):
        result.set(name, {**result.getdict(name), **components}, priority="cmdline")
    return result


class Runner:
    """Crawlers of one process over the registered sites; ``forever``: ``morgue worker``."""

    def __init__(self, settings: Any, client: Any, forever: bool):
        from scrapy.crawler import AsyncCrawlerProcess

        self.settings = settings
        self.client = client
        self.forever = forever
        self.process = AsyncCrawlerProcess(settings)
        self.jobs: list[Any] = []
        self.running: dict[str, Any] = {}  # site -> its job, while its crawler runs
        self.stopping = False
        self.redis_down = False  # said once, until it answers again

    def start_site(self, site: str, entry: dict) -> None:
        from scrapy.crawler import Crawler

        from morgue.cli.crawl import Job
        from morgue.distributed.spider import DistributedNewsSpider

        own = site_settings(self.settings, site, entry.get("settings"))
        job = Job(DistributedNewsSpider, {"site": ",".join(entry["seeds"])}, own, name=entry["seeds"][0])
        job.crawl = entry.get("crawl")  # the crawl of the site this crawler took part in
        job.crawler = self.process.create_crawler(Crawler(DistributedNewsSpider, own))
        started = self.process.crawl(job.crawler, **job.args)
        self.jobs.append(job)
        self.running[site] = job
        logger.info("Joining the crawl of %s", site)

        def done(t: Any, job: Any = job, site: str = site) -> None:
            if not t.cancelled() and t.exception():
                job.failure = t.exception()
            self.running.pop(site, None)
            try:
                registry.finish(self.client, site)
            except Exception as e:  # noqa: BLE001 - Redis gone at the end: the next crawl starts afresh anyway
                logger.warning("Cannot close the crawl of %s in Redis: %s", site, e)

        started.add_done_callback(done)

    def look(self) -> bool:
        """Join the registered sites this process does not crawl and that have work; whether to go on."""
        try:
            sites = registry.sites(self.client)
        except Exception as e:  # noqa: BLE001 - Redis away: the crawlers close (``lost``); a worker waits for it
            if not self.redis_down:
                logger.warning("Cannot read the sites of the crawl from Redis: %s%s", e,
                               "; waiting for it" if self.forever else "")
            self.redis_down = True
            return bool(self.running) or self.forever
        if self.redis_down:
            logger.warning("Redis answers again")
            self.redis_down = False
        for site, entry in sites.items():
            if site in self.running or self.stopping:
                continue
            taken = [j for j in self.jobs if getattr(j, "crawl", None) == entry.get("crawl")]
            if taken and (any(j.failure is not None for j in taken) or registry.empty(self.client, site)):
                continue  # this crawl of the site failed here (a lock held, a bad setting), or it has no work left
            self.start_site(site, entry)
        return self.forever or bool(self.running)

    async def watch(self) -> None:
        from twisted.internet import reactor

        while True:
            if not self.look() and not self.running:
                break
            if self.stopping and not self.running:
                break
            await asyncio.sleep(WATCH)
        reactor.stop()

    def run(self, interruption_cls: Any) -> int:
        from twisted.internet import reactor

        from morgue.cli.crawl import _outcome, _write_report, combine

        started_at = datetime.now(timezone.utc)
        self.look()
        reactor.callWhenRunning(lambda: asyncio.ensure_future(self.watch()))

        def call_soon(fn: Any) -> None:
            def stop() -> None:
                self.stopping = True
                fn()
            reactor.callFromThread(stop)

        with interruption_cls(self.process, call_soon) as interruption:
            self.process.start(stop_after_crawl=False, install_signal_handlers=False)
        try:  # this worker leaves: `morgue status` no longer lists it
            self.client.hdel(registry.WORKERS, registry.worker_id())
            self.client.delete(registry.worker_key(registry.worker_id()))
        except Exception as e:  # noqa: BLE001 - Redis gone: the entry ages out of `morgue status` as dead
            logger.warning("Cannot remove this worker from Redis: %s", e)
        if not self.jobs:
            print("morgue: no site was crawled", file=sys.stderr)
            return EXIT_INTERRUPTED if interruption.signal else EXIT_OK
        outcomes = [_outcome(job, interruption.signal, self.settings, several=len(self.jobs) > 1)
                    for job in self.jobs]
        for outcome in outcomes:
            lost = (outcome["stats"] or {}).get(meta.FRONTIER_LOST)
            if lost:  # the crawler closed early: what it fetched is archived, the rest waits in Redis
                outcome.update(exit_code=EXIT_NO_ARTICLES, last=f"morgue: error: {outcome['site']}: {lost}; what "
                               "this worker fetched is archived, its requests go back to the queue once Redis "
                               "answers and another worker runs")
            elif outcome["exit_code"] == EXIT_NO_ARTICLES and outcome["stats"]:
                # The crawl is shared: other workers may have archived the site's articles. The
                # summary above says what this one did; `morgue status` and the reports the rest.
                outcome.update(exit_code=EXIT_OK, last=f"morgue: {outcome['site']}: this worker archived no "
                                                      "article (the other workers may have)")
        code = combine([o["exit_code"] for o in outcomes], interrupted=bool(interruption.signal))
        _write_report(self.settings, outcomes, started_at, code)
        for outcome in outcomes:
            if outcome.get("last"):
                print(outcome.pop("last"), file=sys.stderr)
        return code


def client_or_fail(settings: Any) -> Any:
    """The Redis client of MORGUE_REDIS_URL; ``SystemExit(2)`` with one line naming it otherwise."""
    try:
        return connect(redis_url(settings))
    except RedisUnusable as e:
        raise SystemExit(fail(str(e))) from None


def run(settings: Any, sites: list[tuple[list[str], dict]], forever: bool) -> int:
    """Register ``sites`` (seeds, own settings) and crawl every registered site until done (or for ever)."""
    from morgue.cli.crawl import prepare
    from morgue.cli.interrupt import Interruption

    client = client_or_fail(settings)
    prepare(settings)
    for seeds, own in sites:
        site, fresh = registry.register(client, seeds, own)
        print(f"morgue: {'started' if fresh else 'joined'} the distributed crawl of {site}", file=sys.stderr)
    return Runner(settings, client, forever).run(Interruption)
