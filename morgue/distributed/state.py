"""The incremental state when several workers crawl one site: each worker's updates merged, none lost.

Every worker loads the site's newest state snapshot from the shared store when
it opens, as a single-machine crawl does, and updates its copy with what it
fetched. Saving each copy as it is would keep only the last worker's updates
(the newest snapshot wins). So a worker saves under a lock in Redis
(``morgue:site:<site>:state-lock``): it reads the newest snapshot again (other
workers' saves), keeps, for each article, the entry of the latest capture, and
writes the merged snapshot. The state thus stays in the store, where every worker
and every later single-machine crawl reads it; Redis only orders the saves.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from morgue.distributed import crawl_redis
from morgue.distributed.lost import REDIS_DOWN, frontier_lost
from morgue.distributed.registry import Keys, worker_id
from morgue.extensions.state import StateExtension
from morgue.store import StoreError
from morgue.store.state import SiteState

LOCK_SECONDS = 120


class DistributedStateExtension(StateExtension):
    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedStateExtension:
        extension = super().from_crawler(crawler)
        s = crawler.settings
        extension.client = crawl_redis(crawler)
        extension.keys = Keys(s.get("MORGUE_DISTRIBUTED_SITE"))
        return extension

    async def spider_closed(self) -> None:
        if self.state is None or not self.state.changed:
            return
        lock = self.keys.state_lock
        deadline = time.monotonic() + LOCK_SECONDS
        locked = True
        try:
            while not self.client.set(lock, worker_id(), nx=True, ex=LOCK_SECONDS) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        except REDIS_DOWN as e:  # saved all the same: the state is a cache, and merging keeps the others' saves
            frontier_lost(self.crawler, e)
            locked = False
        try:
            self._merge_newest()
            await super().spider_closed()
        finally:
            if locked:
                with contextlib.suppress(*REDIS_DOWN):  # else it expires after LOCK_SECONDS
                    self.client.delete(lock)

    def _merge_newest(self) -> None:
        """Fold in what other workers saved since this one loaded the state (the latest capture wins)."""
        assert self.state is not None
        try:
            newest = SiteState.load(self.store, self.state.site)
        except (StoreError, OSError):
            return
        if newest.loaded_from == self.state.loaded_from:
            return
        for url, entry in newest.items():
            mine = self.state.get(url)
            if mine is None or mine.date < entry.date:
                self.state.update(url, **vars(entry))
