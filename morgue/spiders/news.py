"""The site crawl: from a news site's root to its articles.

robots.txt → its sitemaps (indexes, news sitemaps, gzipped ones), the
feeds the home page announces, and links from the home page and its
sections. Only pages that look like articles go on to extraction; every
exchange is archived by the capture middleware whatever its kind.

Arguments (``-a``): ``site`` (one or more URLs, comma-separated: a site's
root, a sitemap or a feed), ``since`` (ISO date), ``max_pages``.
Settings: ``MORGUE_SINCE``, ``MORGUE_MAX_PAGES``, ``MORGUE_FOLLOW_DEPTH``,
``MORGUE_FEED_PATHS`` (try the usual feed and sitemap paths when none is announced),
``MORGUE_FETCH_DOCUMENTS`` (archive PDFs and office documents that articles link to),
``MORGUE_LINKS_FROM_LISTED`` (look for article links in articles a sitemap listed: slower, rarely finds more).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots
from w3lib.encoding import http_content_type_encoding
from w3lib.url import canonicalize_url

from morgue import meta
from morgue.config import flag, number
from morgue.discovery.dates import parse_date
from morgue.discovery.documents import MAX_XML_SIZE, xml_kind
from morgue.discovery.entry import DiscoveryError, Entry
from morgue.discovery.feeds import USUAL_FEED_PATHS, feed_links, parse_feed
from morgue.discovery.links import (
    document_links,
    headline_like,
    is_binary_url,
    is_document_url,
    is_excluded,
    looks_like_article,
    looks_like_section,
)
from morgue.discovery.pages import is_article
from morgue.discovery.sitemaps import USUAL_SITEMAP_PATHS, parse_sitemap
from morgue.discovery.urls import check_url, site_hosts
from morgue.items import Page
from morgue.utils.responses import uncached_copy

logger = logging.getLogger(__name__)

# Discovery documents come before articles; fresh (news sitemap, feed) before the rest.
PRIORITY = {"robots": 40, "home": 30, "sitemap": 20, "feed": 20, "section": 10,
            "news-sitemap": 5, "link": 0}
REDIRECTS = (301, 302, 303, 307, 308)
#: when one URL is found several ways, the capture keeps the most telling
VIA_RANK = {"news-sitemap": 0, "feed": 1, "sitemap": 2, "link": 3}
#: a sitemap lists the site's articles: the articles it lists are not searched for more
LISTED = {"sitemap", "news-sitemap"}


class NewsSpider(Spider):
    name = "news"

    def __init__(self, site: str | None = None, since: str | None = None,
                 max_pages: str | int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not site:
            raise ValueError("the news spider needs a site: -a site=https://news.example.org/")
        self.seeds = [check_url(u.strip()) for u in str(site).split(",") if u.strip()]
        self.allowed_domains = site_hosts(self.seeds)
        self._since_arg, self._max_pages_arg = since, max_pages
        self.article_requests = 0
        self._seen: set[str] = set()
        self._archived: set[str] = set()  # canonical final URLs given a text record
        self._queued: dict[str, dict] = {}  # canonical URL -> discovery of a request not yet fetched
        self._limit_logged = False

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        since = spider._since_arg or settings.get("MORGUE_SINCE")
        spider.since = None
        if since:
            spider.since = parse_date(str(since))
            if spider.since is None:
                raise ValueError(f"invalid since date {since!r}: use YYYY-MM-DD")
        max_pages = spider._max_pages_arg or settings.get("MORGUE_MAX_PAGES")
        try:
            spider.max_pages = int(max_pages) if max_pages else None
        except ValueError:
            raise ValueError(f"invalid max_pages {max_pages!r}: a whole number") from None
        spider.follow_depth = number(settings, "MORGUE_FOLLOW_DEPTH", 2, minimum=0)
        spider.usual_paths = flag(settings, "MORGUE_FEED_PATHS", True)
        spider.fetch_documents = flag(settings, "MORGUE_FETCH_DOCUMENTS", True)
        spider.links_from_listed = flag(settings, "MORGUE_LINKS_FROM_LISTED", False)
        # Hosts and file types are checked in _follow_links (ports defeat allow_domains).
        spider.links = LinkExtractor(deny_extensions=[])
        crawler.signals.connect(spider._latest_discovery, signal=signals.request_reached_downloader)
        return spider

    def _latest_discovery(self, request: Request) -> None:
        """A queued article's best discovery so far, which may have improved while it waited.

        Requests wait in Scrapy's disk queue as copies, so an upgrade made to the spider's own
        record of a queued article is put back on the request here, before it is fetched and
        captured.
        """
        known = self._queued.get(request.meta.get(meta.KEY))
        if known is not None:
            request.meta[meta.DISCOVERY] = known

    # --- start ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for seed in self.seeds:
            if urlsplit(seed).path in ("", "/"):
                yield self._request(urljoin(seed, "/robots.txt"), self.parse_robots, "robots",
                                    dont_filter=True, extra={"dont_obey_robotstxt": True})
                yield self._home_request(seed)
            else:
                yield self._request(seed, self.parse_seed, "home", errback=self.home_failed)

    def _home_request(self, url: str, hops: int = 0) -> Request:
        # Redirects of the home page are followed here, so one that leaves the site is seen.
        return self._request(url, self.parse_home, "home", errback=self.home_failed, dont_filter=True,
                             extra={"dont_redirect": True, "handle_httpstatus_list": list(REDIRECTS),
                                   meta.HOPS: hops})

    def _request(self, url: str, callback, role: str, *, extra: dict | None = None,
                 errback=None, depth: int = 0, **kwargs: Any) -> Request:
        request_meta = {meta.ROLE: role, meta.DEPTH: depth, **(extra or {})}
        if role in ("robots", "sitemap", "feed"):
            request_meta["handle_httpstatus_all"] = True  # a missing sitemap is not an error
        return Request(url, callback=callback, errback=errback, meta=request_meta,
                       priority=PRIORITY.get(role, 0), **kwargs)

    # --- discovery documents -------------------------------------------------

    def parse_robots(self, response: Response) -> Iterable[Request]:
        sitemaps = []
        if response.status == 200 and isinstance(response, TextResponse):
            sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        for url in sitemaps:
            yield self._request(url, self.parse_sitemap, "sitemap")
        if not sitemaps and self.usual_paths:
            for path in USUAL_SITEMAP_PATHS:
                yield self._request(urljoin(response.url, path), self.parse_sitemap, "sitemap",
                                    extra={meta.GUESS: True})

    def parse_seed(self, response: Response) -> Iterable[Request | Page]:
        """A seed that is not a site root: a sitemap, a feed or a page, told by its content."""
        try:
            body = self._xml_body(response)
        except DiscoveryError as e:
            self._discovery_failed(response, e)
            return
        kind = xml_kind(body) if body else None
        if kind in ("sitemap", "sitemapindex"):
            yield from self.parse_sitemap(response)
        elif kind == "feed":
            yield from self.parse_feed(response)
        elif is_article(response.body, response.url):
            yield from self.parse_article(response)
        else:
            yield from self.parse_home(response)

    def _xml_body(self, response: Response) -> bytes:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=MAX_XML_SIZE)
            except (OSError, ValueError, zlib.error) as e:
                raise DiscoveryError(f"cannot gunzip {response.url}: {e}") from None
        return body

    def _discovery_failed(self, response: Response, error: Exception | str) -> None:
        if response.meta.get(meta.GUESS):
            return
        self.crawler.stats.inc_value(meta.DISCOVERY_ERRORS)
        logger.error("%s", error)

    def _read(self, response: Response, what: str, parse):
        """``parse(body, url, problems)`` of a sitemap or feed; None when it cannot be read."""
        if response.status != 200:
            if not response.meta.get(meta.GUESS):
                logger.warning("%s %s answered HTTP %d", what, response.url, response.status)
            return None
        problems: list[str] = []
        try:
            parsed = parse(self._xml_body(response), response.url, problems)
        except DiscoveryError as e:
            self._discovery_failed(response, e)
            return None
        for problem in problems:
            self._discovery_failed(response, problem)
        return parsed

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        parsed = self._read(response, "Sitemap", parse_sitemap)
        if parsed is None:
            return
        children, entries = parsed
        self.crawler.stats.inc_value(meta.SITEMAPS)
        for child in children:
            if not self._too_old(child):
                yield self._request(child.url, self.parse_sitemap, "sitemap")
        for entry in entries:
            yield from self._article_request(entry, response.url)

    def parse_feed(self, response: Response) -> Iterable[Request]:
        entries = self._read(response, "Feed", parse_feed)
        if entries is None:
            return
        self.crawler.stats.inc_value(meta.FEEDS)
        for entry in entries:
            yield from self._article_request(entry, response.url)

    def _too_old(self, entry: Entry) -> bool:
        if self.since is None:
            return False
        date = entry.date()
        if date is not None and date < self.since:
            self.crawler.stats.inc_value(meta.SKIPPED_BEFORE_SINCE)
            return True
        return False

    def _article_request(self, entry: Entry, source: str, depth: int = 1) -> Iterable[Request]:
        if self._too_old(entry) or (is_binary_url(entry.url) and entry.via == "link"):
            return
        key = canonicalize_url(entry.url)
        discovery = {"via": entry.via, "from": source, "entry": entry.info}
        if key in self._seen:
            queued = self._queued.get(key)
            if queued is not None and VIA_RANK[entry.via] < VIA_RANK[queued["via"]]:
                queued.clear()  # not fetched yet: _latest_discovery puts it on the request
                queued.update(discovery)
            return
        if self.max_pages is not None and self.article_requests >= self.max_pages:
            if not self._limit_logged:
                self._limit_logged = True
                logger.info("Reached max_pages=%d: no more articles are requested", self.max_pages)
            return
        self._seen.add(key)
        self._queued[key] = discovery
        self.article_requests += 1
        yield self._request(entry.url, self.parse_article, entry.via, depth=depth,
                            errback=self.article_failed, extra={meta.DISCOVERY: discovery, meta.KEY: key})

    # --- HTML pages ----------------------------------------------------------

    def home_failed(self, failure) -> None:
        request = failure.request
        if failure.check(IgnoreRequest):
            reason = str(failure.value)
            if "robots.txt" in reason:
                self.crawler.stats.set_value(meta.HOME_FORBIDDEN_BY_ROBOTS, request.url)
            elif request.meta.get("redirect_urls"):
                self.crawler.stats.set_value(meta.HOME_REDIRECTED_OFFSITE, request.url)
        elif not failure.check(HttpError):
            self.crawler.stats.set_value(meta.HOME_ERROR, failure.getErrorMessage())
        logger.error("Cannot fetch %s: %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(meta.HOME_FAILED)

    def parse_home(self, response: Response) -> Iterable[Request | Page]:
        if response.status in REDIRECTS:
            yield from self._home_redirect(response)
            return
        if not isinstance(response, TextResponse):
            return
        links = [(el.attrib.get("rel", ""), el.attrib.get("type", ""), el.attrib.get("href", ""))
                 for el in response.xpath("//link[@href]")]
        feeds = feed_links(links, response.url)
        if not feeds and self.usual_paths:
            for path in USUAL_FEED_PATHS:
                yield self._request(urljoin(response.url, path), self.parse_feed, "feed",
                                    extra={meta.GUESS: True})
        for url in feeds:
            yield self._request(url, self.parse_feed, "feed")
        yield from self._follow_links(response, sections=True)

    def _home_redirect(self, response: Response) -> Iterable[Request]:
        location = response.headers.get(b"Location", b"").decode("latin-1").strip()
        target = urljoin(response.url, location)
        hops = response.meta.get(meta.HOPS, 0)
        if not location or hops >= 5:
            self.crawler.stats.set_value(meta.HOME_ERROR, f"{response.status} redirect loop or no Location")
            return
        if urlsplit(target).hostname not in self.allowed_domains:
            self.crawler.stats.set_value(meta.HOME_REDIRECTED_OFFSITE, target)
            logger.warning("The home page %s redirects off the site to %s: not followed", response.url, target)
            return
        yield self._home_request(target, hops + 1)

    def parse_section(self, response: Response) -> Iterable[Request]:
        if isinstance(response, TextResponse):
            yield from self._follow_links(response, sections=False)

    def _follow_links(self, response: TextResponse, sections: bool, from_article: bool = False) -> Iterable[Request]:
        depth = response.meta.get(meta.DEPTH, 0)
        home = self.seeds[0]
        for link in self.links.extract_links(response):
            if urlsplit(link.url).hostname not in self.allowed_domains:
                continue
            text = " ".join(link.text.split())
            if looks_like_article(link.url) or (headline_like(text) and not is_excluded(link.url)):
                entry = Entry(link.url, "link", {"anchor_text": text} if text else {})
                yield from self._article_request(entry, response.url, depth + 1)
            elif sections and looks_like_section(link.url, home):
                yield self._request(link.url, self.parse_section, "section", depth=depth + 1)
            elif from_article and self.fetch_documents and is_document_url(link.url):
                yield self._request(link.url, self.parse_document, "link", depth=depth + 1)

    def _document_requests(self, response: Response) -> Iterable[Request]:
        depth = response.meta.get(meta.DEPTH, 0)
        for url in document_links(response.body, response.url):
            if urlsplit(url).hostname in self.allowed_domains:
                yield self._request(url, self.parse_document, "link", depth=depth + 1)

    def parse_document(self, response: Response) -> None:
        """A document an article links to: archived by the capture, nothing to extract."""
        self.crawler.stats.inc_value(meta.DOCUMENTS)

    def article_failed(self, failure) -> None:
        self._queued.pop(failure.request.meta.get(meta.KEY), None)

    def parse_article(self, response: Response) -> Iterable[Request | Page]:
        self._queued.pop(response.meta.get(meta.KEY), None)
        self.crawler.stats.inc_value(meta.ARTICLE_RESPONSES)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or (
            content_type and "html" not in content_type and "xml" not in content_type
        ):
            self.crawler.stats.inc_value(meta.NOT_HTML)
            return
        if not is_article(response.body, response.url, self.seeds[0]):
            self.crawler.stats.inc_value(meta.NOT_ARTICLE)
            if response.meta.get(meta.DEPTH, 0) < self.follow_depth:
                yield from self._follow_links(response, sections=False)
            return
        final = canonicalize_url(response.url)
        if final in self._archived:  # reached again through a redirect: one record per article
            return
        self._archived.add(final)
        redirects = response.meta.get("redirect_urls") or [response.request.url]
        yield Page(
            url=response.url,
            requested_url=redirects[0],
            body=response.body,
            encoding=http_content_type_encoding(content_type),
            warc=response.meta.get(meta.WARC_LOCATION, {}),
            discovery=response.meta.get(meta.DISCOVERY, {}),
        )
        if response.meta.get(meta.DEPTH, 0) >= self.follow_depth:
            return
        if not self.links_from_listed and response.meta.get(meta.DISCOVERY, {}).get("via") in LISTED:
            # Parsing each listed article for links cost the crawler process about 11 ms a page
            # (a third of an extraction) to find articles the sitemap lists: only documents are
            # looked for, by a scan of the page's bytes.
            if self.fetch_documents:
                yield from self._document_requests(response)
            return
        # Links are read from a copy: the parsed page then dies with it, instead of staying
        # on the response for as long as the page waits for extraction.
        yield from self._follow_links(uncached_copy(response), sections=False, from_article=True)

