"""What the test site answers for a path, per variant. No sockets here.

``Router.reply`` maps one request to a :class:`Reply`; the server only adds
transfer concerns (gzip when asked, chunking, writing bytes). Keeping the
decisions here lets the tests and ``NewsSite.articles`` look at pages without
a round trip.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from morgue.testsite import feeds, pages
from morgue.testsite.articles import (
    BROKEN_PATH,
    HUGE_PATH,
    PDF_PATH,
    PRIVATE_PATH,
    REDIRECT_PATH,
    REFRESH_PATH,
    REFRESH_TARGET,
    SECTIONS,
    STORY_BY_PATH,
    TAG_PAGES,
    Story,
)

VARIANTS = (
    "normal",
    "disallow-all",
    "forbidden",
    "no-articles",
    "rate-limited",
    "offsite-redirect",
    "broken-discovery",
)

#: the "rate-limited" variant answers the first this many HTML requests with 429
RATE_LIMIT_HITS = 3
RETRY_AFTER = "2"
#: size of the oversized page, beyond a 1 MB DOWNLOAD_MAXSIZE
HUGE_SIZE = 3 * 1024 * 1024
HTML_UTF8 = "text/html; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
REDIRECT_TARGET = "/2026/11/20/city-council-approves-new-budget/"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: gzip the body when the client accepts it
    compress: bool = False
    #: send with Transfer-Encoding: chunked instead of Content-Length
    chunked: bool = False

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")


def html_reply(text: str, status: int = 200, *, compress: bool = True) -> Reply:
    return Reply(status, text.encode("utf-8"), [("Content-Type", HTML_UTF8)], compress=compress)


def error_reply(status: int) -> Reply:
    reason, message = {
        403: ("Forbidden", "You don't have permission to access this resource."),
        404: ("Not Found", "Sorry, the page you were looking for could not be found."),
        429: ("Too Many Requests", "Slow down: you have sent too many requests."),
        500: ("Internal Server Error", "Something went wrong on our side. Please try again later."),
    }[status]
    return html_reply(pages.error(status, reason, message), status, compress=False)


def redirect_reply(location: str, status: int = 301) -> Reply:
    body = pages.error(status, "Moved Permanently", f"This page has moved to {location}")
    return Reply(status, body.encode(), [("Content-Type", HTML_UTF8), ("Location", location)])


def story_reply(story: Story, base: str) -> Reply:
    """An article page in its own encoding, the charset where the story says."""
    body = pages.article(story, base).html.encode(story.encoding, errors="xmlcharrefreplace")
    ctype = f"text/html; charset={story.encoding}" if story.charset_in_header else "text/html"
    return Reply(200, body, [("Content-Type", ctype)], compress=True, chunked=story.chunked)


#: the "broken-discovery" variant: every sitemap and the feed are damaged
BROKEN_DISCOVERY = {
    feeds.SITEMAP_INDEX: (
        (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         b"<sitemap><loc>/sitemap-posts.xml.gz</loc></sitemap><sitemap><loc>/news-sit"),
        XML,
    ),
    feeds.NEWS_SITEMAP: (b"<html><body><h1>Database error</h1></body></html>", "text/html"),
    feeds.POSTS_SITEMAP: (b"\x1f\x8b\x08\x00 this is not really gzip", "application/x-gzip"),
    feeds.FEED: (b"\x00\x01\x02 not a feed", RSS),
}


class Router:
    """Answers requests for one site instance; thread-safe."""

    def __init__(self, variant: str, base: str, trap_port: int | None = None) -> None:
        from morgue.testsite import hostile, listings  # they build on this module's replies

        known = VARIANTS + hostile.VARIANTS + listings.VARIANTS
        if variant not in known:
            raise ValueError(f"unknown test site variant {variant!r}; one of {', '.join(known)}")
        self.variant = variant
        self.base = base.rstrip("/")
        self.hostile = hostile.Hostile(variant, base, trap_port) if variant in hostile.VARIANTS else None
        #: a site of its own (listing pages, page kinds, junk links): it answers everything
        self.listings = listings.Listings(variant, base) if variant in listings.VARIANTS else None
        self._lock = threading.Lock()
        self._cache: dict[str, Reply] = {}
        self._hits: Counter[str] = Counter()

    def reply(self, method: str, target: str, headers: dict[str, str]) -> Reply:
        path = target.split("?", 1)[0].split("#", 1)[0] or "/"
        if self.listings:
            return self.listings.reply(target)
        if self.variant == "forbidden":
            if path == "/robots.txt":
                return error_reply(404)
            return html_reply(pages.error(403, "Forbidden", "Access denied."), 403, compress=False)
        if self.variant == "no-articles":
            return self._bare(path)
        if self.variant == "offsite-redirect" and path == "/":
            host = headers.get("Host", "")
            if not host.startswith("localhost"):
                return redirect_reply(self.offsite_url())
        own = self.hostile.reply(path) if self.hostile else None  # generated: not cached
        if own is not None:
            return own
        reply = self._cached(path)
        if (
            self.variant == "rate-limited"
            and path != "/robots.txt"
            and reply.content_type.startswith("text/html")
        ):
            with self._lock:
                self._hits["html"] += 1
                limited = self._hits["html"] <= RATE_LIMIT_HITS
            if limited:
                limit = error_reply(429)
                limit.headers.append(("Retry-After", RETRY_AFTER))
                return limit
        return reply

    def offsite_url(self) -> str:
        """Where the home page of "offsite-redirect" points: same server, another host name."""
        port = self.base.rsplit(":", 1)[1]
        return f"http://localhost:{port}/"

    def _cached(self, path: str) -> Reply:
        with self._lock:
            cached = self._cache.get(path)
        if cached is None:
            cached = self._route(path)
            with self._lock:
                self._cache[path] = cached
        return cached

    def _route(self, path: str) -> Reply:
        base = self.base
        if self.variant == "broken-discovery" and path in BROKEN_DISCOVERY:
            body, content_type = BROKEN_DISCOVERY[path]
            return Reply(200, body, [("Content-Type", content_type)])
        if path == "/robots.txt":
            text = feeds.robots(base, disallow_all=self.variant == "disallow-all")
            if self.hostile:
                text = self.hostile.robots(text)
            return Reply(200, text.encode(), [("Content-Type", "text/plain; charset=UTF-8")])
        story = STORY_BY_PATH.get(path)
        if story is not None:
            return story_reply(story, base)

        def xml(text: str) -> Reply:
            return Reply(200, text.encode(), [("Content-Type", XML)], compress=True)

        documents: dict[str, Callable[[], Reply]] = {
            "/": lambda: html_reply(self.hostile.home(pages.home(base)) if self.hostile else pages.home(base)),
            feeds.SITEMAP_INDEX: lambda: xml(feeds.sitemap_index(base)),
            feeds.NEWS_SITEMAP: lambda: xml(feeds.news_sitemap(base)),
            feeds.POSTS_SITEMAP: lambda: Reply(
                200, feeds.posts_sitemap_gz(base), [("Content-Type", "application/x-gzip")]
            ),
            feeds.FEED: lambda: Reply(200, (self.hostile.feed(feeds.rss(base)) if self.hostile else feeds.rss(base))
                                      .encode(), [("Content-Type", RSS)], compress=True),
            "/feed": lambda: redirect_reply(base + feeds.FEED),
            "/sitemap.xml": lambda: redirect_reply(base + feeds.SITEMAP_INDEX),
            REDIRECT_PATH: lambda: redirect_reply(base + REDIRECT_TARGET),
            REFRESH_PATH: lambda: html_reply(pages.refresh(base)),
            REFRESH_TARGET: lambda: html_reply(pages.notice(base)),
            BROKEN_PATH: lambda: error_reply(500),
            PRIVATE_PATH: lambda: html_reply(pages.private(base)),
            HUGE_PATH: lambda: html_reply(pages.huge(base, HUGE_SIZE), compress=False),
            PDF_PATH: lambda: Reply(200, feeds.pdf(), [("Content-Type", "application/pdf")]),
        }
        for key in SECTIONS:
            documents[f"/{key}/"] = lambda key=key: html_reply(pages.section(key, base))
        for name in TAG_PAGES:
            documents[f"/tag/{name}/"] = lambda name=name: html_reply(pages.tag(name, base))
        for static in pages.STATIC_PAGES:
            documents[static] = lambda static=static: html_reply(pages.static(static, base))
        make = documents.get(path)
        return make() if make else error_reply(404)

    def _bare(self, path: str) -> Reply:
        if path == "/robots.txt":
            text = feeds.robots(self.base, sitemaps=False)
            return Reply(200, text.encode(), [("Content-Type", "text/plain; charset=UTF-8")])
        if path == "/":
            return html_reply(pages.bare_home(self.base))
        if path in ("/about/", "/contact/"):
            return html_reply(pages.static(path, self.base, full=False))
        return error_reply(404)

    def html_pages(self) -> dict[str, str]:
        """Every HTML page a crawler can be handed in this variant, by path (for link maps)."""
        if self.variant == "forbidden" or self.listings:
            return {}
        if self.variant == "no-articles":
            paths = ["/", "/about/", "/contact/"]
        else:
            paths = [
                "/",
                *(f"/{k}/" for k in SECTIONS),
                *(f"/tag/{t}/" for t in TAG_PAGES),
                *pages.STATIC_PAGES,
                *STORY_BY_PATH,
                PRIVATE_PATH,
                REFRESH_PATH,
                REFRESH_TARGET,
            ]
        out = {}
        for path in paths:
            reply = self._bare(path) if self.variant == "no-articles" else self._cached(path)
            story = STORY_BY_PATH.get(path)
            out[path] = reply.body.decode(story.encoding if story else "utf-8")
        return out
