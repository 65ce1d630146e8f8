"""Extension that holds the lock of the crawl's store and site (``morgue.store.lock``) for the whole run.

Taken when the crawler is built, before anything is fetched or any spool
file is touched: a second run over the same store and site fails to start
with ``LockHeld``, which the command line turns into one line and exit
code 5. Renewed (the heartbeat) while the run lives; released when the
engine has stopped, after the last upload and the state's save.

Settings: ``MORGUE_LOCK_ENABLED`` (default true), ``MORGUE_LOCK_STALE``
(seconds without a heartbeat after which another run takes the lock over;
default 900).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from morgue.config import flag, number
from morgue.store import StoreError, store_from_settings
from morgue.store.lock import StoreLock
from morgue.store.state import site_id

logger = logging.getLogger(__name__)


class LockExtension:
    def __init__(self, crawler, lock: StoreLock):
        self.crawler = crawler
        self.lock = lock
        self.beating: task.LoopingCall | None = None
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not flag(s, "MORGUE_LOCK_ENABLED", True):
            raise NotConfigured("MORGUE_LOCK_ENABLED is off")
        seeds = getattr(crawler.spider, "seeds", None) or []
        if not seeds:
            raise NotConfigured  # a spider with no site (morgue save): nothing to lock, nothing to warn of
        stale = number(s, "MORGUE_LOCK_STALE", 900.0, float, minimum=1)
        try:
            lock = StoreLock(store_from_settings(s), site_id(seeds[0]), stale)
            lock.acquire()  # LockHeld goes up to the command line
        except StoreError as e:
            raise ValueError(str(e)) from None
        if lock.taken_over:
            logger.warning("Took over the lock of %s left by run %s (pid %s on %s): its heartbeat had stopped",
                           lock.site, lock.taken_over.get("run"), lock.taken_over.get("pid"),
                           lock.taken_over.get("host"))
        return cls(crawler, lock)

    def engine_started(self) -> None:
        self.beating = task.LoopingCall(self.lock.beat)
        self.beating.start(self.lock.heartbeat_interval, now=False)

    def stop_beating(self) -> None:
        if self.beating is not None and self.beating.running:
            self.beating.stop()

    def engine_stopped(self) -> None:
        self.stop_beating()
        self.lock.release()
