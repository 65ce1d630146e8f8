"""Extension that owns the crawl's state (``morgue.store.state``): loaded when the spider opens, saved when it closes.

Other components find it through ``crawl_state(crawler)``: the incremental
middleware reads it, the capture middleware and the text pipeline update it.
Before the crawl starts, the text records waiting in the spool (a run killed
before it could upload them, or whose uploads failed) are folded into the
state, so their articles are not fetched again.

State loading and saving are best effort: a state that cannot be read is an
empty one (the crawl does more work, loses nothing); one that cannot be
saved is a warning (the next run does more work).

Settings: ``MORGUE_STATE_ENABLED`` (default true), ``MORGUE_FULL`` (``--full``:
fetch every article again, unconditionally; the state is still updated).
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.threads import deferToThread

from morgue import meta
from morgue.config import flag
from morgue.extensions.upload import UploadExtension
from morgue.store import StoreError
from morgue.store.state import SiteState, entry_as_dict, fold_text_file, site_id

logger = logging.getLogger(__name__)


def crawl_state(crawler) -> StateExtension | None:
    """The crawl's state extension, or None when state is off."""
    return crawler.get_extension(StateExtension)


class StateExtension:
    def __init__(self, crawler, full: bool):
        self.crawler = crawler
        self.full = full
        self.state: SiteState | None = None
        # Connected before UploadExtension's (a lower order): the spool is read before its uploads start.
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not flag(s, "MORGUE_STATE_ENABLED", True):
            raise NotConfigured("MORGUE_STATE_ENABLED is off")
        return cls(crawler, flag(s, "MORGUE_FULL", False))

    async def spider_opened(self, spider) -> None:
        seeds = getattr(spider, "seeds", None) or []
        if not seeds:
            return
        from scrapy.utils.defer import maybe_deferred_to_future

        upload = self.crawler.get_extension(UploadExtension)
        if upload is None:
            return  # no store: nothing to keep a state in
        self.store = upload.store
        site = site_id(seeds[0])
        # Text records a killed or cut-off run left in the spool (archived, soon uploaded), read now,
        # before this handler returns and the uploads that remove them start.
        waiting = _waiting_in_spool(upload.spool, site)
        self.state = await maybe_deferred_to_future(deferToThread(self._load, site, waiting))
        self.crawler.stats.set_value(meta.STATE_LOADED, len(self.state))

    def _load(self, site: str, waiting: SiteState) -> SiteState:
        try:
            state = SiteState.load(self.store, site)
        except (StoreError, OSError) as e:
            logger.warning("Cannot read the crawl state of %s (%s): every article is fetched again", site, e)
            state = SiteState(site)
        for url, entry in waiting.items():
            known = state.get(url)
            if known is None or known.date <= entry.date:
                state.update(url, **entry_as_dict(entry))
        return state

    async def spider_closed(self) -> None:  # after the text pipeline closed: every record is in
        if self.state is None or not self.state.changed:
            return
        from scrapy.utils.defer import maybe_deferred_to_future

        try:
            await maybe_deferred_to_future(deferToThread(self.state.save, self.store))
        except (StoreError, OSError) as e:
            logger.warning("Cannot save the crawl state of %s (%s): the next run fetches more", self.state.site, e)
            return
        self.crawler.stats.set_value(meta.STATE_SAVED, len(self.state))


def _waiting_in_spool(spool, site: str) -> SiteState:
    """The articles of the text files waiting in ``spool`` (finished, or cut off by a killed run)."""
    waiting = SiteState(site)
    for path in sorted(spool.ready_dir.glob("*.jsonl.gz")) + sorted(spool.open_dir.glob("*.jsonl.gz")):
        try:
            with open(path, "rb") as f:
                fold_text_file({site: waiting}, f)
        except OSError:
            continue
    return waiting
