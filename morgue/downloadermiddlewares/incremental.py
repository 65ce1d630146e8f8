"""Downloader middleware that fetches an article already archived only when it may have changed.

An article request (one with ``request.meta[meta.DISCOVERY]``) whose
canonical URL the crawl state knows is:

- dropped (``IgnoreRequest``, stat ``incremental/skipped``) when its
  discovery date (sitemap ``lastmod``, feed ``updated`` or ``published``) is
  the one seen at its last capture and it is not recent (an article found by
  a link has no such date: it is asked for conditionally);
- otherwise sent with ``If-None-Match`` / ``If-Modified-Since`` from that
  capture (stat ``incremental/conditional``). "Recent": published less than
  ``MORGUE_RECHECK_DAYS`` days ago (corrections come early).

Feeds, sitemaps, home and section pages carry no discovery and always go
through. The state entry rides on the request (``meta.PREVIOUS``) for the
capture middleware, which writes a ``revisit`` record for a 304 or for a 200
with the last capture's payload; such a response then ends here, as an
``IgnoreRequest``, instead of going on to extraction: there is nothing new
to extract.

It sits at 940: its ``process_response`` runs right after the capture's (950).

Settings: ``MORGUE_RECHECK_DAYS`` (3), ``MORGUE_FULL`` (fetch every article, unconditionally).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from morgue import meta
from morgue.config import flag, number
from morgue.discovery.dates import parse_date
from morgue.extensions.state import crawl_state
from morgue.store.state import canonical, discovery_date, entry_as_dict


def is_recent(published: str, now: datetime, days: float) -> bool:
    when = parse_date(published)
    return when is not None and now - when < timedelta(days=days)


class IncrementalMiddleware:
    def __init__(self, crawler, recheck_days: float, full: bool):
        self.crawler = crawler
        self.stats = crawler.stats
        self.recheck_days = recheck_days
        self.full = full

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not flag(s, "MORGUE_STATE_ENABLED", True):
            raise NotConfigured("MORGUE_STATE_ENABLED is off")
        return cls(crawler, number(s, "MORGUE_RECHECK_DAYS", 3.0, float, minimum=0), flag(s, "MORGUE_FULL", False))

    def process_request(self, request: Request) -> None:
        discovery = request.meta.get(meta.DISCOVERY)
        if not discovery or request.meta.get("redirect_urls") or meta.PREVIOUS in request.meta:
            return
        extension = crawl_state(self.crawler)
        state = extension.state if extension is not None else None
        if state is None:
            return
        # A better discovery (a sitemap's date for an article first found by a link) found while the
        # request waited: the spider puts it on the request when asked (a public hook, if it has one).
        latest = getattr(self.crawler.spider, "latest_discovery", None)
        if callable(latest):
            latest(request)
            discovery = request.meta.get(meta.DISCOVERY) or discovery
        entry = state.get(request.meta.get(meta.KEY) or canonical(request.url))
        if entry is None or not entry.digest:
            return
        request.meta[meta.PREVIOUS] = entry_as_dict(entry)
        if self.full:
            return
        seen = discovery_date(discovery)
        moved = bool(seen) and seen != entry.seen
        published = entry.published or str((discovery.get("entry") or {}).get("published") or "")
        # A link gives no date: the spider may still hold a sitemap's date for this article, which
        # reaches the request only after this middleware (``request_reached_downloader``). So a
        # known article found by a link is asked for conditionally (a 304 costs a few bytes).
        if seen and not moved and not is_recent(published, datetime.now(timezone.utc), self.recheck_days):
            self.stats.inc_value(meta.INCREMENTAL_SKIPPED)
            raise IgnoreRequest(f"archived and unchanged: {request.url}")
        if entry.etag:
            request.headers.setdefault(b"If-None-Match", entry.etag.encode("latin-1", "replace"))
        if entry.last_modified:
            request.headers.setdefault(b"If-Modified-Since", entry.last_modified.encode("latin-1", "replace"))
        self.stats.inc_value(meta.INCREMENTAL_CONDITIONAL)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(meta.REVISIT):
            # Archived as a revisit; Scrapy's stats middleware (850) will not see it: count it here.
            self.stats.inc_value(f"downloader/response_status_count/{response.status}")
            raise IgnoreRequest(f"unchanged since its last capture: {request.url}")
        return response


class SkipURLsMiddleware:
    """Drops requests whose URL matches one of ``MORGUE_SKIP_URLS`` (regular expressions; sites.toml's ``skip``).

    Stat ``morgue/skipped_by_pattern``. Off (``NotConfigured``) when the list is empty.
    """

    def __init__(self, crawler, patterns: list[re.Pattern]):
        self.stats = crawler.stats
        self.patterns = patterns

    @classmethod
    def from_crawler(cls, crawler):
        raw = crawler.settings.getlist("MORGUE_SKIP_URLS")
        if not raw:
            raise NotConfigured  # nothing to skip: no message, which Scrapy would log as a warning
        try:
            return cls(crawler, [re.compile(p) for p in raw])
        except re.error as e:
            raise ValueError(f"invalid setting MORGUE_SKIP_URLS: {e.pattern!r}: {e}") from None

    def process_request(self, request: Request) -> None:
        if any(p.search(request.url) for p in self.patterns):
            self.stats.inc_value(meta.SKIPPED_BY_PATTERN)
            raise IgnoreRequest(f"skipped by MORGUE_SKIP_URLS: {request.url}")
