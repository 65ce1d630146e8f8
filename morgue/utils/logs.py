"""A log a user can read: a network failure is one line, never a traceback.

Scrapy logs a failed download with the chained traceback of its exception
(30 to 60 lines each) in two places: the scraper's "Error downloading" for a
request without an errback, and the robots.txt middleware when robots.txt
cannot be fetched. A refused connection, a name that does not resolve or a
timeout is an event of the crawl, not a bug: the one line already says all.

``LogFormatter`` (Scrapy's ``LOG_FORMATTER``, built once per crawl) gives the
scraper's line its reason and keeps it at DEBUG when RetryMiddleware has
already logged "Gave up retrying ..." for the same failure; it also installs
``NetworkErrorFilter`` on the two loggers, which drops the traceback of a
network error from their records unless the log level is DEBUG.
"""

from __future__ import annotations

import builtins
import logging
from typing import Any

from scrapy import exceptions
from scrapy.logformatter import LogFormatter as ScrapyLogFormatter
from scrapy.utils.misc import load_object
from twisted.internet import error
from twisted.web.client import ResponseFailed

from morgue.config import log_level

#: what a site or the network does to a download (Scrapy 2.19 wraps Twisted's errors in its own)
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    exceptions.DownloadConnectionRefusedError, exceptions.CannotResolveHostError,
    exceptions.DownloadTimeoutError, exceptions.DownloadFailedError, exceptions.DownloadCancelledError,
    exceptions.ResponseDataLossError,
    error.ConnectError, error.DNSLookupError, error.ConnectionClosed, error.ConnectingCancelledError,
    ResponseFailed, builtins.ConnectionError, builtins.TimeoutError,
)
#: the loggers that attach a network error's traceback to their record
NOISY_LOGGERS = ("scrapy.core.scraper", "scrapy.downloadermiddlewares.robotstxt")


class NetworkErrorFilter(logging.Filter):
    """Drops the traceback of a network error from a record; the message already says what failed."""

    def __init__(self, keep_traceback: bool = False):
        super().__init__()
        self.keep_traceback = keep_traceback

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and not self.keep_traceback and isinstance(exc, NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_network_tracebacks(keep_traceback: bool) -> None:
    """Install (once per process) the filter on the loggers that attach network tracebacks."""
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        for existing in logger.filters:
            if isinstance(existing, NetworkErrorFilter):
                existing.keep_traceback = keep_traceback
                break
        else:
            logger.addFilter(NetworkErrorFilter(keep_traceback))


class LogFormatter(ScrapyLogFormatter):
    """Scrapy's log formatter, with one line per failed download.

    Settings: Scrapy's ``LOG_LEVEL``, ``RETRY_ENABLED`` and ``RETRY_EXCEPTIONS``.
    """

    def __init__(self, retry_exceptions: tuple[type[BaseException], ...] = ()):
        super().__init__()
        self.retry_exceptions = retry_exceptions

    @classmethod
    def from_crawler(cls, crawler: Any) -> LogFormatter:
        settings = crawler.settings
        quiet_network_tracebacks(keep_traceback=log_level(settings) <= logging.DEBUG)
        retried: tuple[type[BaseException], ...] = ()
        if settings.getbool("RETRY_ENABLED"):
            retried = tuple(load_object(x) if isinstance(x, str) else x for x in settings.getlist("RETRY_EXCEPTIONS"))
        return cls(retried)

    def download_error(self, failure: Any, request: Any, spider: Any, errmsg: str | None = None) -> dict:
        result = super().download_error(failure, request, spider, errmsg or failure.getErrorMessage())
        if (isinstance(failure.value, NETWORK_ERRORS) and isinstance(failure.value, self.retry_exceptions)
                and not request.meta.get("dont_retry")):
            result["level"] = logging.DEBUG  # RetryMiddleware logged "Gave up retrying" for it
        return result
