"""Downloader middleware that honours ``Retry-After`` on 429 and 503, site by site.

Scrapy's RetryMiddleware retries at once; a site that says "come back in N
seconds" gets its download slot paused for N seconds (bounded) instead, so
the other sites of the crawl go on. It sits at 560, so it sees the response
before RetryMiddleware (550) does.

Settings: ``MORGUE_RETRY_AFTER_MAX`` (longest wait honoured, seconds),
``MORGUE_RETRY_AFTER_TIMES`` (retries per request).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request

from morgue import meta
from morgue.config import number

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None if unusable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - (now if now is not None else time.time()), 0.0)


class RetryAfterMiddleware:
    def __init__(self, crawler, max_wait: float, max_times: int):
        self.crawler = crawler
        self.max_wait = max_wait
        self.max_times = max_times
        # slot key -> (delay before, randomize before, pause end)
        self._raised: dict[str, tuple[float, bool, float]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        middleware = cls(crawler, number(s, "MORGUE_RETRY_AFTER_MAX", 120.0, float, minimum=0),
                         number(s, "MORGUE_RETRY_AFTER_TIMES", 5, minimum=0))
        # The downloader sends this before it takes the slot's next request (as AutoThrottle relies
        # on); process_response comes only after, too late to hold back a request already waiting.
        crawler.signals.connect(middleware._pause, signal=signals.response_downloaded)
        return middleware

    def _slot(self, request):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _wait(self, response) -> float | None:
        if response.status not in (429, 503):
            return None
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        return None if wait is None else min(wait, self.max_wait)

    def _pause(self, response, request, spider=None) -> None:
        """Pause the site's download slot the moment a Retry-After answer arrives."""
        wait = self._wait(response)
        key, slot = self._slot(request)
        if wait is None or slot is None:
            return
        now = time.monotonic()
        delay, randomize, _ = self._raised.get(key, (slot.delay, slot.randomize_delay, 0.0))
        self._raised[key] = (delay, randomize, now + wait)
        slot.delay = max(slot.delay, wait)
        # RANDOMIZE_DOWNLOAD_DELAY would wait as little as half the delay: the site's wait is a floor.
        slot.randomize_delay = False
        slot.lastseen = now

    def process_response(self, request, response):
        key, slot = self._slot(request)
        if response.status not in (429, 503):
            # Answers to requests sent before the pause began must not end it early.
            if key in self._raised and time.monotonic() >= self._raised[key][2]:
                delay, randomize, _ = self._raised.pop(key)
                if slot is not None:
                    slot.randomize_delay = randomize
                    if not self._autothrottle:  # AutoThrottle decays the delay itself
                        slot.delay = delay
            return response
        wait = self._wait(response)
        if wait is None:
            return response  # RetryMiddleware's ordinary retry
        self.crawler.stats.inc_value(f"morgue/retry_after/{response.status}")
        retry = get_retry_request(
            request, spider=self.crawler.spider, max_retry_times=self.max_times,
            reason=f"{response.status} with Retry-After {wait:g}s", stats_base_key=meta.RETRY_AFTER,
        )
        if retry is None:
            return response
        logger.info("%s answered %d: waiting %gs before retrying %s",
                    key, response.status, wait, request.url)
        return retry

    @property
    def _autothrottle(self) -> bool:
        return self.crawler.settings.getbool("AUTOTHROTTLE_ENABLED")
