"""Ctrl-C and SIGTERM during a crawl: the first stops it promptly and keeps every file, the second at once.

Scrapy's own handlers do not fit an archiver. On the first signal Scrapy
closes the spider only after every request already handed to the
downloader is fetched: up to ``CONCURRENT_REQUESTS`` of them, each waiting
out the site's download delay (16 s for 15 pages on a site with a 1 s
delay), and it says so only in an INFO line a terminal does not show. Its
second signal stops the event loop with the spider still open, and the
command line carries on over half-closed components. So the crawl runs
with Scrapy's handlers off and these instead:

- first signal: one line on standard error; the engine stops taking
  requests, those waiting for a download slot are dropped (requests being
  downloaded finish, within ``DOWNLOAD_TIMEOUT``), and the crawl closes as
  usual: pages already fetched are extracted, files are finished and
  uploaded, the summary says the crawl was interrupted, exit code 6.
- second signal: the extraction workers are ended and the process exits
  with code 6 at once. A file being written is cut short; the next run
  repairs it (back to its last complete record) and uploads it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.ossignal import install_shutdown_handlers, signal_names

from morgue import meta
from morgue.cli.common import EXIT_INTERRUPTED
from morgue.utils.downloader import drop_waiting_requests

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)

FIRST = "morgue: interrupted: finishing files (press Ctrl-C again to stop at once)"
SECOND = ("morgue: stopped at once: files being written stay in the spool; "
          "the next run (or `morgue flush`) repairs and uploads them")


def loop_caller(loop: asyncio.AbstractEventLoop | None) -> Callable[[Callable[[], None]], None]:
    """``call_soon`` for ``Interruption``: the Twisted reactor's thread-safe call when one is installed,
    else that of the asyncio loop the crawl runs in (``AsyncCrawlerProcess`` without a reactor)."""
    from scrapy.utils.reactor import is_reactor_installed

    def call_soon(fn: Callable[[], None]) -> None:
        if is_reactor_installed():
            from twisted.internet import reactor

            reactor.callFromThread(fn)
        else:
            assert loop is not None
            loop.call_soon_threadsafe(fn)

    return call_soon


class Interruption:
    """Installs the handlers for the length of a crawl (``with``); ``signal`` names the first signal received."""

    def __init__(self, process: Any, call_soon: Callable[[Callable[[], None]], None]):
        self.process = process
        self.call_soon = call_soon  # safe from a signal handler: hands a call to the event loop
        self.signal: str | None = None
        self._previous: dict[int, Any] = {}
        self._stopping: asyncio.Future | None = None

    def __enter__(self) -> Self:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.getsignal(signum)
        install_shutdown_handlers(self._first)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _first(self, signum: int, _frame: Any) -> None:
        install_shutdown_handlers(self._second)
        self.signal = signal_names.get(signum, str(signum))
        # Nothing is written from here: the interrupted code may be writing to the same stream.
        self.call_soon(self._stop)

    def _second(self, signum: int, _frame: Any) -> None:
        os.write(2, (("\r\x1b[K" if os.isatty(2) else "") + SECOND + "\n").encode())
        for child in multiprocessing.active_children():  # extraction workers would outlive us
            child.terminate()
        os._exit(EXIT_INTERRUPTED)

    def _stop(self) -> None:
        prefix = "\r\x1b[K" if sys.stderr.isatty() else ""  # over the progress line, if one shows
        print(prefix + FIRST, file=sys.stderr, flush=True)
        logger.info("Received %s: closing the spider", self.signal)
        self._stopping = asyncio.ensure_future(self._stop_crawls())

    async def _stop_crawls(self) -> None:
        crawlers = []
        for crawler in list(self.process.crawlers):
            # A crawler still opening would shrug off stop() and start afterwards: wait until it runs.
            while crawler.crawling and not _running(crawler):
                await asyncio.sleep(0.05)
            if crawler.crawling:
                crawler.stats.set_value(meta.INTERRUPTED, self.signal)
                crawler.engine.pause()  # no new request leaves the scheduler
                crawlers.append(crawler)
        stopping = self.process.stop()  # a coroutine (AsyncCrawlerProcess) or a Deferred (CrawlerProcess)
        stopped = asyncio.ensure_future(stopping if inspect.iscoroutine(stopping)
                                        else maybe_deferred_to_future(stopping))
        # Until the spiders close, requests that were waiting for something else (robots.txt, a
        # middleware) keep reaching the download slots: drop them as they come.
        dropped = 0
        while not stopped.done():
            for crawler in crawlers:
                dropped += drop_waiting_requests(crawler.engine.downloader)
            await asyncio.wait([stopped], timeout=0.1)
        if dropped:
            logger.info("Dropped %d requests waiting for a download slot", dropped)
        stopped.result()


def _running(crawler: Any) -> bool:
    try:
        return bool(crawler.engine.running)
    except RuntimeError:  # the engine is made when the crawl starts
        return False
