"""Extension that keeps one live progress line on a terminal.

By default only when standard error is a terminal: under cron the log stays plain.

Settings: ``MORGUE_PROGRESS`` (``auto``, ``on`` or ``off``), ``MORGUE_PROGRESS_INTERVAL``.
"""

from __future__ import annotations

import logging
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


class _ClearLine(logging.Filter):
    """Clears the live line from the terminal before a log record is written over it."""

    def __init__(self, extension: ProgressExtension):
        super().__init__()
        self.extension = extension

    def filter(self, record: logging.LogRecord) -> bool:
        self.extension.clear()
        return True


class ProgressExtension:
    """On a terminal, one line redrawn in place: cleared before each log record and drawn
    again at the next tick, so a log line never lands after it on the same line. Elsewhere
    (``MORGUE_PROGRESS=on`` under cron or into a file) a plain line at each tick."""

    def __init__(self, crawler, interval: float, stream=None):
        self.crawler = crawler
        self.interval = interval
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.shown = False  # the live line is on the terminal now
        self.task: task.LoopingCall | None = None
        self.started = time.monotonic()
        self._clear_line = _ClearLine(self)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        mode = str(crawler.settings.get("MORGUE_PROGRESS", "auto")).lower()
        if mode not in ("auto", "on", "off"):
            raise ValueError(f"invalid setting MORGUE_PROGRESS={mode!r}: expected auto, on or off")
        if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured  # no reason given: Scrapy would log it as a warning on every cron run
        return cls(crawler, number(crawler.settings, "MORGUE_PROGRESS_INTERVAL", 1.0, float, minimum=0.1))

    def _log_handlers(self) -> list[logging.Handler]:
        """The log handlers that write to the progress line's stream (Scrapy's root handler, usually)."""
        return [h for h in logging.getLogger().handlers if getattr(h, "stream", None) is self.stream]

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        if self.live:
            for handler in self._log_handlers():
                handler.addFilter(self._clear_line)
        self.task = task.LoopingCall(self.show)
        self.task.start(self.interval, now=False)

    def clear(self) -> None:
        if self.shown:
            self.shown = False
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def show(self, final: bool = False) -> None:
        line = progress_line(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        if self.live:
            self.stream.write("\r\x1b[K" + line + ("\n" if final else ""))
            self.shown = not final
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def spider_closed(self, spider, reason) -> None:
        for handler in self._log_handlers():
            handler.removeFilter(self._clear_line)
        if self.task and self.task.running:
            self.task.stop()
            self.show(final=True)
