"""Extension that moves finished archive files from the spool to the store.

At start it checks the store, repairs what a crashed run left in the spool
and queues it first; during the crawl it uploads each file as soon as its
writer finishes it; at the end it waits (``MORGUE_UPLOAD_TIMEOUT`` seconds at
most) until every file is in the store. Whatever could not be uploaded stays
in the spool and is counted in ``store/files_pending``. The uploads run on a
thread of their own, whose counters are copied into the stats from the
reactor thread (every second, and at the end), since the report and
progress code read the stats there.

Settings: ``MORGUE_STORE``, ``MORGUE_SPOOL``, ``MORGUE_UPLOAD_TIMEOUT``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task
from twisted.internet.threads import deferToThread

from morgue import meta
from morgue.config import number
from morgue.store import StoreError, store_from_settings
from morgue.store.spool import Spool, spool_from_settings
from morgue.store.upload import Uploader

logger = logging.getLogger(__name__)


def crawl_spool(crawler) -> Spool:
    """The crawl's one spool, which the capture middleware and the text pipeline write into."""
    extension = crawler.get_extension(UploadExtension)
    if extension is None:
        raise NotConfigured("UploadExtension is off: there is no spool to write archive files into")
    return extension.spool


class UploadExtension:
    """Owns the crawl's store and spool; writers find the spool through ``crawl_spool(crawler)``."""

    def __init__(self, crawler, uploader: Uploader, timeout: float):
        self.crawler = crawler
        self.uploader = uploader
        self.store = uploader.store
        self.spool = uploader.spool
        self.timeout = timeout
        self.publisher: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        try:
            store = store_from_settings(s)
            store.check()
            spool = spool_from_settings(s, store)
            spool.prepare()
        except StoreError as e:
            # Bad input, as a bad setting is: the crawl does not start, and the CLI says why in one line.
            raise ValueError(str(e)) from None
        from twisted.internet import reactor  # the one Scrapy installed; imported late so as not to install one

        uploader = Uploader(store, spool, call_soon=reactor.callFromThread)
        return cls(crawler, uploader, number(s, "MORGUE_UPLOAD_TIMEOUT", 300.0, float, minimum=0))

    def spider_opened(self) -> None:
        recovered = self.uploader.spool.recover()
        if recovered:
            self.crawler.stats.set_value(meta.FILES_RECOVERED, len(recovered))
        waiting = self.uploader.spool.ready()
        if waiting:
            logger.info("Uploading %d files left in the spool by earlier runs", len(waiting))
        self.uploader.start()
        self.publisher = task.LoopingCall(self.publish)
        self.publisher.start(1.0, now=False)
        # Connected now, after every writer connected its own handler, so that the
        # writers have finished their files before the last uploads are awaited.
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def publish(self) -> None:
        """Copy the upload thread's counters into the stats (on the reactor thread)."""
        for key, value in self.uploader.counts().items():
            self.crawler.stats.set_value(key, value)

    async def spider_closed(self) -> None:
        if self.publisher is not None and self.publisher.running:
            self.publisher.stop()
        left = await maybe_deferred_to_future(deferToThread(self.uploader.close, self.timeout))
        self.publish()
        self.crawler.stats.set_value(meta.FILES_PENDING, len(left))
