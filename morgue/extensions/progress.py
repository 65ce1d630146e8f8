"""Extension that keeps one live progress line on a terminal.

Only when standard error is a terminal: under cron the log stays plain.

Settings: ``MORGUE_PROGRESS`` (``auto``, ``on`` or ``off``), ``MORGUE_PROGRESS_INTERVAL``.
"""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from morgue import meta
from morgue.config import number


def progress_line(stats: dict, elapsed: float) -> str:
    pages = stats.get("downloader/response_count", 0)
    errors = sum(v for k, v in stats.items()
                 if k.startswith("downloader/response_status_count/") and k[-3] in "45")
    errors += stats.get("downloader/exception_count", 0)
    rate = pages / elapsed if elapsed > 0 else 0.0
    return (f"morgue: {pages} pages, {stats.get(meta.TEXT_RECORDS, 0)} articles, "
            f"{errors} errors, {rate:.1f} pages/s, "
            f"{stats.get(meta.WARC_BYTES, 0) / 1e6:.1f} MB archived")


class ProgressExtension:
    def __init__(self, crawler, interval: float, stream=None):
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.task: task.LoopingCall | None = None
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        mode = str(crawler.settings.get("MORGUE_PROGRESS", "auto")).lower()
        if mode not in ("auto", "on", "off"):
            raise ValueError(f"MORGUE_PROGRESS must be auto, on or off, got {mode!r}")
        if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured
        return cls(crawler, number(crawler.settings, "MORGUE_PROGRESS_INTERVAL", 1.0, float, minimum=0.1))

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.task = task.LoopingCall(self.show)
        self.task.start(self.interval, now=False)

    def show(self, final: bool = False) -> None:
        line = progress_line(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        self.stream.write("\r\x1b[K" + line + ("\n" if final else ""))
        self.stream.flush()

    def spider_closed(self, spider, reason) -> None:
        if self.task and self.task.running:
            self.task.stop()
            self.show(final=True)
