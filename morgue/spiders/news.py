"""The site crawl: from a news site's root to its articles.

robots.txt → its sitemaps (indexes, news sitemaps, gzipped ones), the
feeds the home page announces, and links from the home page and its
sections. Only pages that look like articles go on to extraction; every
exchange is archived by the capture middleware whatever its kind.

What a hostile or broken site cannot do to a crawl:

- make it request anything but ``http``/``https`` URLs on the site's hosts
  (a ``Sitemap: ftp://…`` line, an ``s3://`` entry, a ``javascript:`` link
  are skipped: Scrapy's FTP handler waits for ever on a port that never speaks);
- make an error page an article: only 2xx pages are parsed as articles;
- keep it fetching sitemaps: their number, their index nesting and the
  number of feeds are bounded, and ``max_pages`` ends discovery;
- fill its memory: sitemaps and feeds are read as a stream and each entry is
  queued as it is read (requests wait in Scrapy's disk queue); sitemaps,
  feeds and sections are handed to Scrapy a few at a time, so once
  ``max_pages`` is reached none is left waiting to be fetched.

Arguments (``-a``): ``site`` (one or more URLs, comma-separated: a site's
root, a sitemap or a feed), ``since`` (ISO date), ``max_pages``.
Settings: ``MORGUE_SINCE``, ``MORGUE_MAX_PAGES``, ``MORGUE_FOLLOW_DEPTH``,
``MORGUE_FEED_PATHS`` (try the usual feed and sitemap paths when none is announced),
``MORGUE_FETCH_DOCUMENTS`` (archive PDFs and office documents that articles link to),
``MORGUE_LINKS_FROM_LISTED`` (look for article links in articles a sitemap listed: slower, rarely finds more),
``MORGUE_MAX_SITEMAPS`` (1000: sitemaps read per crawl, indexes included),
``MORGUE_SITEMAP_DEPTH`` (3: sitemap indexes followed below the one robots.txt names),
``MORGUE_MAX_FEEDS`` (50: feeds read per crawl),
``MORGUE_LISTING_PAGES`` (10: pages of one section's pagination read, the first included),
``MORGUE_LISTING_DEPTH`` (2: listing hops from the home page: a section, then a tag or sub-section it links),
``MORGUE_MAX_LISTINGS`` (500: listing pages read per crawl, pagination included),
``MORGUE_ARTICLE_URLS`` (regular expressions of the site's article URLs, sites.toml's ``articles``:
links matching them are followed as articles, and pages matching them are articles unless listings).

Listing pages (sections, categories, topics, tags, date archives, and links in the
home page's navigation) are read for article links, their pagination (``rel="next"``,
``/page/N/``, ``?page=N``, "next"/"older" links) up to the bounds above. Every URL is
cleaned before it is queued (fragment and tracking parameters dropped) and cart,
login, share, print, comment-reply and calendar links are not followed. A page a
sitemap or feed lists gets a text record unless it is a listing; one found by a link
only when it is an article (``morgue.discovery.pages.classify``); one story reached
under two URLs that name the same canonical URL gets one.
Scrapy's ``DOWNLOAD_MAXSIZE`` also bounds a gzipped sitemap once decompressed, as in Scrapy's SitemapSpider.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import re
import struct
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.conf import build_component_list
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.misc import load_object
from scrapy.utils.sitemap import sitemap_urls_from_robots
from w3lib.encoding import http_content_type_encoding
from w3lib.url import canonicalize_url, safe_url_string

from morgue import meta
from morgue.config import flag, number
from morgue.discovery.dates import parse_date
from morgue.discovery.documents import xml_kind
from morgue.discovery.entry import DiscoveryError, Entry
from morgue.discovery.feeds import USUAL_FEED_PATHS, feed_links, read_feed
from morgue.discovery.links import (
    document_links,
    headline_like,
    is_binary_url,
    is_document_url,
    is_excluded,
    is_next_link,
    looks_like_article,
    looks_like_listing,
    pagination_number,
    url_date,
)
from morgue.discovery.pages import canonical_link, classify, published_date, wants_text
from morgue.discovery.sitemaps import USUAL_SITEMAP_PATHS, read_sitemap
from morgue.discovery.urls import check_url, clean_url, junk_url, on_site, site_hosts
from morgue.downloadermiddlewares.robots import RobotsTxtMiddleware, robots_fetched
from morgue.items import Page
from morgue.utils.responses import uncached_copy

logger = logging.getLogger(__name__)

# Discovery documents come before articles; fresh articles (news sitemap, feed) before the rest.
PRIORITY = {"robots": 40, "home": 30, "sitemap": 20, "feed": 20, "section": 10}
ARTICLE_PRIORITY = {"news-sitemap": 5, "feed": 5, "sitemap": 0, "link": 0}
#: the documents a crawl finds on its way (handed to Scrapy a few at a time)
DOCUMENTS = {"sitemap": "Sitemap", "feed": "Feed", "section": "Section page"}
REDIRECTS = (301, 302, 303, 307, 308)
#: when one URL is found several ways, the capture keeps the most telling
VIA_RANK = {"news-sitemap": 0, "feed": 1, "sitemap": 2, "link": 3}
#: an article's rank once answered: its discovery can no longer change
FETCHED = -1
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
        #: hash of a canonical article URL -> VIA_RANK of its discovery while it waits, FETCHED once
        #: answered. Hashes, not URLs: a sitemap may list 400,000, and a collision (odds about
        #: 1 in 10^8 at that size) costs one article
        self._seen: dict[int, int] = {}
        #: discoveries that improved while their article waited in the disk queue
        self._upgrades: dict[str, dict] = {}
        #: the discovery on each article request in the downloader, still open to upgrades
        self._downloading: dict[str, dict] = {}
        self._archived: set[str] = set()  # canonical final URLs given a text record
        self._documents_seen: set[str] = set()  # canonical URLs of sitemaps, feeds and sections taken
        self._documents_taken: Counter[str] = Counter()
        #: (-priority, order, request) of documents not yet handed to Scrapy
        self._waiting: list[tuple[int, int, Request]] = []
        self._order = itertools.count()
        self._handed_out = 0  # documents in Scrapy's hands, not yet answered
        self._limits_hit: list[str] = []
        self._robots_pending = 0  # robots.txt requests not yet answered
        #: hosts whose robots.txt the robots middleware is to hand over (see _robots_fetched)
        self._robots_hosts: set[str] = set()
        #: articles found by links while sitemaps and feeds are still being read (see _link_article)
        self._parked: list[tuple[Entry, str, int]] = []
        #: max_pages reached: no more documents or articles are requested
        self.discovery_ended = False

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
        spider.max_sitemaps = number(settings, "MORGUE_MAX_SITEMAPS", 1000, minimum=0)
        spider.sitemap_depth = number(settings, "MORGUE_SITEMAP_DEPTH", 3, minimum=0)
        spider.max_feeds = number(settings, "MORGUE_MAX_FEEDS", 50, minimum=0)
        spider.listing_pages = number(settings, "MORGUE_LISTING_PAGES", 10, minimum=0)
        spider.listing_depth = number(settings, "MORGUE_LISTING_DEPTH", 2, minimum=0)
        spider.max_listings = number(settings, "MORGUE_MAX_LISTINGS", 500, minimum=0)
        raw = settings.getlist("MORGUE_ARTICLE_URLS")
        try:
            spider.article_urls = [re.compile(p) for p in raw]
        except re.error as e:
            raise ValueError(f"invalid setting MORGUE_ARTICLE_URLS: {e.pattern!r}: {e}") from None
        spider.max_xml_size = number(settings, "DOWNLOAD_MAXSIZE", 0, minimum=0)
        # As many documents at once as Scrapy fetches from one site at once.
        spider.documents_at_once = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8))
        # Hosts and schemes are checked by on_site (ports defeat allow_domains).
        spider.links = LinkExtractor(deny_extensions=[])
        crawler.signals.connect(spider._latest_discovery, signal=signals.request_reached_downloader)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._robots_fetched, signal=robots_fetched)
        return spider

    def _latest_discovery(self, request: Request) -> None:
        """A queued article's best discovery, which may have improved while it waited.

        Requests wait in Scrapy's disk queue as copies, so an upgrade found while an
        article waited is put on the request here; the request's discovery is then kept
        until its answer, so that one found while it is being fetched still reaches
        the capture. Only upgrades are held for articles in the disk queue, not every
        article's discovery: a sitemap may list 400,000.
        """
        key = request.meta.get(meta.KEY)
        if key is None or hash(key) not in self._seen:
            return
        upgrade = self._upgrades.pop(key, None)
        if upgrade is not None:
            request.meta[meta.DISCOVERY] = upgrade
        self._downloading[key] = request.meta[meta.DISCOVERY]

    def latest_discovery(self, request: Request) -> None:
        """Put a queued article's best discovery on its request: for downloader middlewares
        (the incremental one) that run before ``request_reached_downloader`` is sent."""
        self._latest_discovery(request)

    def _article_url(self, url: str) -> bool:
        """An article's URL by its shape, or by the site's own patterns (sites.toml's ``articles``)."""
        return looks_like_article(url) or any(p.search(url) for p in self.article_urls)

    def _answered(self, key: str | None) -> None:
        if key is None:
            return
        if hash(key) in self._seen:
            self._seen[hash(key)] = FETCHED
        self._downloading.pop(key, None)
        self._upgrades.pop(key, None)

    # --- start ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        shared = self._robots_middleware()
        for seed in self.seeds:
            for request in self.seed_requests(seed, shared):
                yield request

    def seed_requests(self, seed: str, shared: bool) -> Iterator[Request]:
        """The first requests of one seed: robots.txt (unless the robots middleware fetches it) and the home
        page for a site's root; the seed itself for a sitemap, a feed or a page."""
        if urlsplit(seed).path in ("", "/"):
            netloc = urlsplit(seed).netloc
            if shared and netloc in self._robots_hosts:
                yield self._home_request(seed)
                return
            self._robots_pending += 1
            if shared:
                # the robots middleware fetches it for the home request and hands it over (_robots_fetched)
                self._robots_hosts.add(netloc)
            else:
                yield self._request(urljoin(seed, "/robots.txt"), self.parse_robots, "robots",
                                    errback=self.robots_failed, dont_filter=True,
                                    extra={"dont_obey_robotstxt": True})
            yield self._home_request(seed)
        else:
            yield self._request(seed, self.parse_seed, "home", errback=self.home_failed)

    def _robots_middleware(self) -> bool:
        """Whether morgue's robots.txt middleware is on: it then fetches robots.txt once for both."""
        settings = self.crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            return False
        middlewares = build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
        return any(issubclass(load_object(m), RobotsTxtMiddleware) for m in middlewares)

    def _robots_fetched(self, response: Response | None, netloc: str) -> None:
        """The robots.txt the robots middleware fetched for a seed's host: its sitemaps are read."""
        if netloc not in self._robots_hosts:
            return
        self._robots_hosts.discard(netloc)
        if response is not None and 200 <= response.status < 300:
            requests = list(self.parse_robots(response))
        else:
            self._robots_pending = max(0, self._robots_pending - 1)
            self._guess_sitemaps(f"http://{netloc}/" if response is None else response.url)
            requests = list(self._hand_out())
        for request in requests:
            self.crawler.engine.crawl(request)

    def _home_request(self, url: str, hops: int = 0) -> Request:
        # Redirects of the home page are followed here, so one that leaves the site is seen.
        return self._request(url, self.parse_home, "home", errback=self.home_failed, dont_filter=True,
                             extra={"dont_redirect": True, "handle_httpstatus_list": list(REDIRECTS),
                                    meta.HOPS: hops})

    def _request(self, url: str, callback, role: str, *, extra: dict | None = None,
                 errback=None, depth: int = 0, priority: int | None = None, **kwargs: Any) -> Request:
        request_meta = {meta.ROLE: role, meta.DEPTH: depth, **(extra or {})}
        return Request(url, callback=callback, errback=errback, meta=request_meta,
                       priority=PRIORITY.get(role, 0) if priority is None else priority, **kwargs)

    def _on_site(self, url: str) -> bool:
        return on_site(url, self.allowed_domains)

    # --- discovery documents: taken, bounded, handed out a few at a time ------

    def _document(self, url: str, callback, role: str, *, guess: bool = False, depth: int = 0,
                  sitemap_depth: int = 0, extra: dict | None = None) -> None:
        """Take a sitemap, feed or section page, to be requested when its turn comes."""
        if self.discovery_ended or not self._on_site(url):
            return
        key = canonicalize_url(url)
        if key in self._documents_seen:
            return
        bound = {"sitemap": ("MORGUE_MAX_SITEMAPS", self.max_sitemaps),
                 "feed": ("MORGUE_MAX_FEEDS", self.max_feeds),
                 "section": ("MORGUE_MAX_LISTINGS", self.max_listings)}.get(role)
        if bound is not None and self._documents_taken[role] >= bound[1]:
            if role == "section":
                self._listing_limit(f"{bound[0]}={bound[1]}", "no more listing pages are read")
            else:
                self._limit(f"{bound[0]}={bound[1]}", f"no more {role}s are read")
            return
        self._documents_seen.add(key)
        self._documents_taken[role] += 1
        # dont_filter: documents are deduplicated here, and one dropped by the dupe filter would never answer
        request = self._request(url, callback, role, errback=self.document_failed, depth=depth, dont_filter=True,
                                extra={meta.GUESS: guess, meta.SITEMAP_DEPTH: sitemap_depth, **(extra or {})})
        heapq.heappush(self._waiting, (-request.priority, next(self._order), request))

    def _hand_out(self) -> Iterator[Request]:
        """The next documents, so that ``documents_at_once`` are in Scrapy's hands.

        Each document's callback or errback hands out the next ones: Scrapy's queue
        then holds only articles and a few documents, so ending discovery
        (``max_pages``) leaves no index's thousands of sitemaps waiting to be fetched.
        """
        while self._waiting and self._handed_out < self.documents_at_once and self._reading():
            self._handed_out += 1
            yield heapq.heappop(self._waiting)[2]
        if self._parked and not self._discovering():
            yield from self._release_links()

    def _discovering(self) -> bool:
        """Whether robots.txt, sitemaps, feeds or sections are still to be read."""
        return bool(self._robots_pending or self._waiting or self._handed_out)

    def _link_article(self, entry: Entry, source: str, depth: int) -> Iterable[Request]:
        """An article found by a link: requested once the site's sitemaps and feeds are read.

        A page both linked and listed is then requested as listed, whatever the timing: its
        capture and text record say it came from the news sitemap or feed (with the date,
        title and keywords those give), not from whichever link happened to be answered first.
        """
        if self._discovering():
            self._parked.append((entry, source, depth))
        else:
            yield from self._article_request(entry, source, depth)

    def _release_links(self) -> Iterator[Request]:
        parked, self._parked = self._parked, []
        for entry, source, depth in parked:
            yield from self._article_request(entry, source, depth)

    def _document_answered(self, request: Request) -> None:
        if request.meta.get(meta.ROLE) in DOCUMENTS:
            self._handed_out = max(0, self._handed_out - 1)

    def _idle(self) -> None:
        """Safety net: a document that never answered (dropped on its way) must not stall discovery,
        nor keep the articles found by links parked."""
        if (self._waiting or self._parked) and self._reading():
            self._handed_out = self._robots_pending = 0
            requests = list(self._hand_out())
            requests += self._release_links()
            for request in requests:
                self.crawler.engine.crawl(request)
            if requests:
                raise DontCloseSpider

    def _limit(self, name: str, what: str) -> None:
        """One log line, and a stats entry, the first time a bound stops discovery."""
        if name in self._limits_hit:
            return
        self._limits_hit.append(name)
        self.crawler.stats.set_value(meta.DISCOVERY_LIMITS, list(self._limits_hit))
        logger.warning("Reached %s: %s", name, what)

    def _listing_limit(self, name: str, what: str) -> None:
        """A listing bound reached: a stats entry and one info line, no warning. A news site's
        sections have more pages than a crawl reads (its sitemaps and feeds hold the rest), and
        the bound is what ends an endless pagination."""
        reached = self.crawler.stats.get_value(meta.LISTING_LIMITS) or []
        if name not in reached:
            self.crawler.stats.set_value(meta.LISTING_LIMITS, [*reached, name])
            logger.info("Reached %s: %s", name, what)

    def _end_discovery(self) -> None:
        self.discovery_ended = True
        self._waiting.clear()
        logger.info("Reached max_pages=%d: no more sitemaps, feeds, sections or articles are requested",
                    self.max_pages)

    def _reading(self) -> bool:
        """Whether to read on through a sitemap or feed: not once discovery ended or the crawl is stopping
        (reading the rest of a sitemap of 400,000 URLs would hold up a Ctrl-C for a minute)."""
        return not self.discovery_ended and self.crawler.crawling

    def parse_robots(self, response: Response) -> Iterable[Request]:
        self._robots_pending = max(0, self._robots_pending - 1)
        named = []
        if isinstance(response, TextResponse):
            named = [u for u in sitemap_urls_from_robots(response.body, base_url=response.url) if self._on_site(u)]
        for url in named:
            self._document(url, self.parse_sitemap, "sitemap")
        if not named:
            self._guess_sitemaps(response.url)
        yield from self._hand_out()

    def robots_failed(self, failure) -> Iterable[Request]:
        """No robots.txt (or none that answers): the usual sitemap paths are tried."""
        self._robots_pending = max(0, self._robots_pending - 1)
        self._guess_sitemaps(failure.request.url)
        yield from self._hand_out()

    def _guess_sitemaps(self, base: str) -> None:
        if self.usual_paths:
            for path in USUAL_SITEMAP_PATHS:
                self._document(urljoin(base, path), self.parse_sitemap, "sitemap", guess=True)

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
        elif isinstance(response, TextResponse) and classify(response.body, response.url, self.seeds[0]) != "listing":
            yield from self.parse_article(response)
        else:
            yield from self.parse_home(response)

    def _xml_body(self, response: Response) -> bytes:
        """The document's bytes, gunzipped by Scrapy's own function within Scrapy's size bound."""
        if not gzip_magic_number(response):
            return response.body
        max_size = response.meta.get("download_maxsize", self.max_xml_size)
        try:
            return gunzip(response.body, max_size=max_size)
        except ValueError:  # Scrapy's size-exceeded error is a ValueError
            raise DiscoveryError(f"{response.url} is larger than {max_size} bytes once decompressed") from None
        except (OSError, EOFError, struct.error, zlib.error) as e:
            raise DiscoveryError(f"cannot gunzip {response.url}: {e}") from None

    def _discovery_failed(self, response: Response, error: Exception | str) -> None:
        if response.meta.get(meta.GUESS):
            return
        self.crawler.stats.inc_value(meta.DISCOVERY_ERRORS)
        logger.error("%s", error)

    def document_failed(self, failure) -> Iterable[Request]:
        """A sitemap, feed or section page that could not be fetched: an error unless it was a guess."""
        request = failure.request
        self._document_answered(request)
        what = DOCUMENTS.get(request.meta.get(meta.ROLE), "Document")
        if failure.check(HttpError):
            error = f"{what} {request.url} answered HTTP {failure.value.response.status}"
        elif failure.check(IgnoreRequest):  # robots.txt forbids it: not the document's fault
            error = ""
        else:
            error = f"Cannot fetch {what.lower()} {request.url}: {failure.getErrorMessage()}"
        if error and not request.meta.get(meta.GUESS) and request.meta.get(meta.ROLE) != "section":
            self.crawler.stats.inc_value(meta.DISCOVERY_ERRORS)
            logger.error("%s", error)
        elif error:
            logger.debug("%s", error)
        yield from self._hand_out()

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        self._document_answered(response.request)
        if not self.discovery_ended:
            yield from self._sitemap_entries(response)
        yield from self._hand_out()

    def _sitemap_entries(self, response: Response) -> Iterable[Request]:
        problems: list[str] = []
        try:
            index, entries = read_sitemap(self._xml_body(response), response.url, problems)
        except DiscoveryError as e:
            self._discovery_failed(response, e)
            return
        self.crawler.stats.inc_value(meta.SITEMAPS)
        depth = response.meta.get(meta.SITEMAP_DEPTH, 0) + 1
        for entry in entries:
            if not self._reading():
                return
            if not index:
                yield from self._article_request(entry, response.url)
            elif depth > self.sitemap_depth:
                self._limit(f"MORGUE_SITEMAP_DEPTH={self.sitemap_depth}",
                            f"sitemap indexes nested deeper are not followed (first at {response.url})")
                break
            elif self._documents_taken["sitemap"] >= self.max_sitemaps:
                self._limit(f"MORGUE_MAX_SITEMAPS={self.max_sitemaps}", "no more sitemaps are read")
                break
            elif not self._too_old(entry):
                self._document(entry.url, self.parse_sitemap, "sitemap", sitemap_depth=depth)
        for problem in problems:
            self._discovery_failed(response, problem)

    def parse_feed(self, response: Response) -> Iterable[Request]:
        self._document_answered(response.request)
        if not self.discovery_ended:
            yield from self._feed_entries(response)
        yield from self._hand_out()

    def _feed_entries(self, response: Response) -> Iterable[Request]:
        problems: list[str] = []
        try:
            entries = read_feed(self._xml_body(response), response.url, problems)
        except DiscoveryError as e:
            self._discovery_failed(response, e)
            return
        self.crawler.stats.inc_value(meta.FEEDS)
        for entry in entries:
            if not self._reading():
                return
            yield from self._article_request(entry, response.url)
        for problem in problems:
            self._discovery_failed(response, problem)

    def _too_old(self, entry: Entry) -> bool:
        """Dated before ``since`` by its source or, when the source gives no date, by its URL."""
        if self.since is None:
            return False
        date = entry.date()
        if date is not None:
            old = date < self.since
        else:
            dated = url_date(entry.url)
            old = dated is not None and dated < (self.since.year, self.since.month, self.since.day)
        if old:
            self.crawler.stats.inc_value(meta.SKIPPED_BEFORE_SINCE)
        return old

    def _article_request(self, entry: Entry, source: str, depth: int = 1) -> Iterable[Request]:
        entry.url = clean_url(entry.url)
        if (self.discovery_ended or not self._on_site(entry.url) or self._too_old(entry)
                or (is_binary_url(entry.url) and entry.via == "link")):
            return
        key = canonicalize_url(entry.url)
        rank = VIA_RANK[entry.via]
        discovery = {"via": entry.via, "from": source, "entry": entry.info}
        known = self._seen.get(hash(key))
        if known is not None:
            if rank < known:  # not answered yet: the capture must see the better discovery
                self._seen[hash(key)] = rank
                downloading = self._downloading.get(key)
                if downloading is not None:
                    downloading.clear()
                    downloading.update(discovery)
                else:
                    self._upgrades[key] = discovery  # _latest_discovery puts it on the request
            return
        self._seen[hash(key)] = rank
        self.article_requests += 1
        if self.max_pages is not None and self.article_requests >= self.max_pages:
            self._end_discovery()
        yield self._request(entry.url, self.parse_article, entry.via, depth=depth, errback=self.article_failed,
                            priority=ARTICLE_PRIORITY[entry.via],
                            extra={meta.DISCOVERY: discovery, meta.KEY: key})

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
        feeds = [url for url in feed_links(links, response.url) if self._on_site(url)]
        if not feeds and self.usual_paths:
            for path in USUAL_FEED_PATHS:
                self._document(urljoin(response.url, path), self.parse_feed, "feed", guess=True)
        for url in feeds:
            self._document(url, self.parse_feed, "feed")
        yield from self._follow_links(response, listings=True)
        yield from self._hand_out()

    def _home_redirect(self, response: Response) -> Iterable[Request]:
        raw = (response.headers.get(b"Location") or b"").strip()
        # As Scrapy's RedirectMiddleware reads it: UTF-8 where it is, other bytes percent-encoded
        location = safe_url_string(raw) if raw else ""
        if raw.startswith(b"//"):
            location = f"{urlsplit(response.url).scheme}://{location.lstrip('/')}"
        target = urljoin(response.url, location)
        hops = response.meta.get(meta.HOPS, 0)
        if not location or hops >= 5:
            self.crawler.stats.set_value(meta.HOME_ERROR, f"{response.status} redirect loop or no Location")
            return
        if not self._on_site(target):
            self.crawler.stats.set_value(meta.HOME_REDIRECTED_OFFSITE, target)
            logger.warning("The home page %s redirects off the site to %s: not followed", response.url, target)
            return
        yield self._home_request(target, hops + 1)

    def parse_section(self, response: Response) -> Iterable[Request]:
        """A listing page (section, tag, archive, one of their next pages): read for article links."""
        self._document_answered(response.request)
        if isinstance(response, TextResponse) and not self.discovery_ended:
            response.meta[meta.PAGE_KIND] = "listing"
            self.crawler.stats.inc_value(meta.LISTING_PAGES)
            yield from self._follow_links(response, listings=True)
        yield from self._hand_out()

    def _listing(self, url: str, response: Response, page: int) -> None:
        """Take a listing page: a section, tag or archive (``page`` 1) or one of its next pages."""
        hops = response.meta.get(meta.LISTING_HOPS, 0) + (page == 1)
        if page == 1 and hops > self.listing_depth:
            return
        if page > self.listing_pages:
            self._listing_limit(f"MORGUE_LISTING_PAGES={self.listing_pages}",
                                f"later pages of a listing are not read (first at {url})")
            return
        self._document(url, self.parse_section, "section", depth=1,
                       extra={meta.LISTING_HOPS: hops, meta.LISTING_PAGE: page, meta.PAGE_KIND: "listing"})

    def _follow_links(self, response: TextResponse, listings: bool, from_article: bool = False) -> Iterable[Request]:
        """Articles, listings and their next pages, and documents, that a page links to.

        ``listings``: the page is the home page or a listing, whose sections, tags and
        next pages are taken (within ``MORGUE_LISTING_DEPTH`` and ``MORGUE_LISTING_PAGES``).
        """
        depth = response.meta.get(meta.DEPTH, 0)
        home = self.seeds[0]
        page = response.meta.get(meta.LISTING_PAGE, 1)
        nexts: set[str] = set()
        navigation: set[str] = set()
        dates: dict[str, str] = {}
        if listings:
            nexts = {clean_url(response.urljoin(h)) for h in response.xpath(
                "//a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
                " | //link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href").getall()}
            if page == 1 and response.meta.get(meta.ROLE) == "home":
                navigation = {clean_url(response.urljoin(h))
                              for h in response.xpath("//nav//a/@href | //header//a/@href").getall()}
            dates = self._listed_dates(response) if self.since is not None else {}
        here = clean_url(response.url)
        for url in nexts - {here}:  # a <link rel="next"> in the head is no <a> of the page
            if self._on_site(url) and not junk_url(url):
                number = pagination_number(url)
                self._listing(url, response, page + 1 if number is None else max(number, 2))
        for link in self.links.extract_links(response):
            url = clean_url(link.url)
            if not self._on_site(url) or url in nexts:
                continue
            if junk_url(url):
                self.crawler.stats.inc_value(meta.JUNK_LINKS)
                continue
            text = " ".join(link.text.split())
            number = pagination_number(url)
            if listings and (number is not None or is_next_link(text)):
                if url != here:
                    self._listing(url, response, page + 1 if number is None else max(number, 2))
            elif self._article_url(url) or (headline_like(text) and not is_excluded(url)):
                entry = Entry(url, "link", {"anchor_text": text} if text else {})
                if url in dates:
                    entry.info["listed_date"] = dates[url]
                yield from self._link_article(entry, response.url, depth + 1)
            elif listings and looks_like_listing(url, home, url in navigation):
                self._listing(url, response, 1)
            elif from_article and self.fetch_documents and is_document_url(url):
                yield self._request(url, self.parse_document, "link", depth=depth + 1)

    @staticmethod
    def _listed_dates(response: TextResponse) -> dict[str, str]:
        """The date a listing shows beside each story (a ``<time datetime>`` in its teaser), by URL:
        with ``since``, a story listed as older is not fetched."""
        dates: dict[str, str] = {}
        for teaser in response.xpath("//article[.//time[@datetime]] | //li[.//time[@datetime]]"):
            when = teaser.xpath(".//time/@datetime").get("")
            for href in teaser.xpath(".//a/@href").getall():
                dates.setdefault(clean_url(response.urljoin(href)), when)
        return dates

    def _document_requests(self, response: Response) -> Iterable[Request]:
        depth = response.meta.get(meta.DEPTH, 0)
        for url in document_links(response.body, response.url):
            if self._on_site(url):
                yield self._request(url, self.parse_document, "link", depth=depth + 1)

    def parse_document(self, response: Response) -> None:
        """A document an article links to: archived by the capture, nothing to extract."""
        self.crawler.stats.inc_value(meta.DOCUMENTS)

    def article_failed(self, failure) -> None:
        self._answered(failure.request.meta.get(meta.KEY))
        if failure.check(HttpError):
            self.crawler.stats.inc_value(meta.ARTICLE_HTTP_ERRORS)

    def parse_article(self, response: Response) -> Iterable[Request | Page]:
        self._answered(response.meta.get(meta.KEY))
        self.crawler.stats.inc_value(meta.ARTICLE_RESPONSES)
        if not 200 <= response.status < 300:  # only if a setting lets error statuses through
            self.crawler.stats.inc_value(meta.ARTICLE_HTTP_ERRORS)
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or (
            content_type and "html" not in content_type and "xml" not in content_type
        ):
            self.crawler.stats.inc_value(meta.NOT_HTML)
            return
        kind = classify(response.body, response.url, self.seeds[0])
        if kind == "other" and any(p.search(response.url) for p in self.article_urls):
            kind = "article"  # the site's own word: sites.toml's articles
        response.meta[meta.PAGE_KIND] = kind
        if not wants_text(kind, response.meta.get(meta.DISCOVERY, {}).get("via", "seed")):
            self.crawler.stats.inc_value(meta.NOT_ARTICLE)
            if kind == "listing":  # a section recognised from the page itself: read as one
                self.crawler.stats.inc_value(meta.LISTING_PAGES)
                yield from self._follow_links(response, listings=True)
            elif response.meta.get(meta.DEPTH, 0) < self.follow_depth:
                yield from self._follow_links(response, listings=False)
            return
        if self._dated_before_since(response.body):
            return
        final = canonicalize_url(response.url)
        canonical = canonical_link(response.body, response.url)
        keys = {final}
        if canonical and self._on_site(canonical):
            keys.add(canonicalize_url(clean_url(canonical)))
        if keys & self._archived:  # reached again through a redirect or another URL: one record per story
            self.crawler.stats.inc_value(meta.DUPLICATES)
            return
        self._archived.update(keys)
        for key in keys - {final}:  # the canonical URL itself need not be fetched again
            self._seen.setdefault(hash(key), FETCHED)
        redirects = response.meta.get("redirect_urls") or [response.request.url]
        yield Page(
            url=response.url,
            requested_url=redirects[0],
            body=response.body,
            encoding=http_content_type_encoding(content_type),
            warc=response.meta.get(meta.WARC_LOCATION, {}),
            discovery=response.meta.get(meta.DISCOVERY, {}),
            kind=kind,
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
        yield from self._follow_links(uncached_copy(response), listings=False, from_article=True)

    def _dated_before_since(self, body: bytes) -> bool:
        """A page whose own publication date is before ``since``: archived, given no text record."""
        if self.since is None:
            return False
        published = published_date(body)
        if published is not None and published < self.since:
            self.crawler.stats.inc_value(meta.SKIPPED_BEFORE_SINCE)
            return True
        return False
