"""Hostile variants of the test site: the normal site plus what a broken or malicious site serves.

Each variant adds one kind of fault to the normal site, so a crawl of it still
finds the normal articles and a test can tell what the fault changed:

- ``foreign-schemes``: robots.txt ``Sitemap:`` lines, a sitemap index, a
  sitemap, the feed and the home page name ``ftp://``, ``s3://``, ``mailto:``
  and ``javascript:`` URLs on the site's own host, and one ``http://`` sitemap
  on the trap port (same host, another port, never answers);
- ``home-to-ftp``: the home page redirects to ``ftp://`` on the trap port;
- ``error-pages``: a sitemap and the feed list pages that answer 403, 404, 410
  and 500 with article-looking HTML; robots.txt also names a sitemap that
  answers 404 and one that is not XML;
- ``endless-sitemaps``: robots.txt names a sitemap index listing the next, for ever;
- ``huge-index``: robots.txt names (through a redirect) an index of 10,000
  sitemaps, each listing one article of its own (all generated on the fly);
- ``malformed-pages``: the feed lists an article whose JSON-LD is nested
  100,000 deep and one sent with a 64 kB ``Set-Cookie`` header.

The trap is a port on 127.0.0.1 that accepts connections and never answers;
the test owns it and passes its number (``NewsSite(..., trap_port=N)``).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from morgue.testsite.routes import HTML_UTF8, XML, Reply, html_reply, redirect_reply

VARIANTS = ("foreign-schemes", "home-to-ftp", "error-pages", "endless-sitemaps", "huge-index", "malformed-pages")
#: statuses of the error pages the "error-pages" variant lists, each with article-looking HTML
ERROR_STATUSES = (403, 404, 410, 500)
ERROR_TITLE = "Sorry, this page is not available"
#: sitemaps in the "huge-index" index
HUGE_INDEX_SIZE = 10_000
#: nesting of the "malformed-pages" JSON-LD
JSONLD_DEPTH = 100_000
COOKIE_SIZE = 64 * 1024
DEEP_JSONLD_PATH = "/2026/11/23/deeply-nested-data-story/"
BIG_COOKIE_PATH = "/2026/11/23/cookie-wall-story/"
_MANY_SITEMAP = re.compile(r"/many/(\d+)\.xml")
_MANY_STORY = re.compile(r"/2026/11/21/many-story-(\d+)/")
_CHAIN = re.compile(r"/chain/(\d+)\.xml")

_PARAGRAPHS = (
    ("The council met on Tuesday evening to discuss the proposals, and members spoke at length about "
    "the cost of the work, the timetable and what residents had said at the public meetings."),
    ("Officers told the meeting that the plans had been revised twice since the spring, after "
    "consultations with local businesses, schools and the two residents' associations."),
    ("A final decision is expected next month, when the committee will also hear from the "
    "independent auditor who reviewed the figures at the council's request."),
)


def _urlset(urls: list[str]) -> bytes:
    body = "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{body}</urlset>\n").encode()


def _index(urls: list[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{body}</sitemapindex>\n").encode()


def _xml(body: bytes) -> Reply:
    return Reply(200, body, [("Content-Type", XML)])


def article_html(title: str, head_extra: str = "") -> str:
    """A page that says it is an article and reads like one."""
    paragraphs = "".join(f"<p>{p}</p>\n" for p in _PARAGRAPHS * 2)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{escape(title)}">{head_extra}</head>\n'
        f"<body><article><h1>{escape(title)}</h1>\n{paragraphs}</article></body></html>\n"
    )


def error_path(status: int) -> str:
    return f"/2026/11/22/removed-story-{status}/"


class Hostile:
    """What one hostile variant adds to the normal site's answers; no sockets here."""

    def __init__(self, variant: str, base: str, trap_port: int | None) -> None:
        if variant in ("foreign-schemes", "home-to-ftp") and not trap_port:
            raise ValueError(f"the {variant!r} variant needs a trap_port: a port that accepts and never answers")
        self.variant = variant
        self.base = base.rstrip("/")
        self.trap = f"127.0.0.1:{trap_port}"

    def foreign_urls(self, path: str) -> list[str]:
        """URLs on the site's host whose scheme no crawler of the web should follow."""
        return [f"ftp://{self.trap}{path}", f"s3://127.0.0.1{path}", "mailto:desk@127.0.0.1",
                "javascript:alert(document.cookie)"]

    def robots(self, text: str) -> str:
        lines = {
            "foreign-schemes": [*self.foreign_urls("/sitemap.xml"), f"http://{self.trap}/never-answers.xml",
                                f"{self.base}/foreign-index.xml"],
            "error-pages": [f"{self.base}/error-sitemap.xml", f"{self.base}/missing-sitemap.xml",
                            f"{self.base}/broken-sitemap.xml"],
            "endless-sitemaps": [f"{self.base}/chain/0.xml"],
            "huge-index": [f"{self.base}/many-index"],  # redirects to /many-index.xml
        }.get(self.variant, [])
        return text + "".join(f"Sitemap: {url}\n" for url in lines)

    def feed(self, rss: str) -> str:
        links = {
            "foreign-schemes": self.foreign_urls("/2026/11/20/a-story-in-a-feed/"),
            "error-pages": [self.base + error_path(s) for s in ERROR_STATUSES],
            "malformed-pages": [self.base + DEEP_JSONLD_PATH, self.base + BIG_COOKIE_PATH],
        }.get(self.variant, [])
        items = "".join(f"<item>\n<title>Item {n}</title>\n<link>{escape(link)}</link>\n</item>\n"
                        for n, link in enumerate(links))
        return rss.replace("</channel>", items + "</channel>")

    def home(self, html: str) -> str:
        if self.variant != "foreign-schemes":
            return html
        links = "".join(f'<a href="{escape(url)}">A story on another scheme that everyone should read</a>\n'
                        for url in self.foreign_urls("/2026/11/20/a-story-on-another-scheme/"))
        return html.replace("</body>", links + "</body>")

    def reply(self, path: str) -> Reply | None:
        """This variant's own answer for ``path``; None where the normal site answers."""
        base = self.base
        if self.variant == "home-to-ftp" and path == "/":
            return redirect_reply(f"ftp://{self.trap}/")
        if self.variant == "foreign-schemes":
            if path == "/foreign-index.xml":
                return _xml(_index([*self.foreign_urls("/child.xml"), f"{base}/foreign-sitemap.xml"]))
            if path == "/foreign-sitemap.xml":
                return _xml(_urlset(self.foreign_urls("/2026/11/20/a-story-in-a-sitemap/")))
        if self.variant == "error-pages":
            for status in ERROR_STATUSES:
                if path == error_path(status):
                    return html_reply(article_html(ERROR_TITLE), status, compress=False)
            if path == "/error-sitemap.xml":
                return _xml(_urlset([base + error_path(s) for s in ERROR_STATUSES]))
            if path == "/broken-sitemap.xml":
                return _xml(b"<?xml version='1.0'?>\n<<< this is not a sitemap >>>")
        if self.variant == "endless-sitemaps" and (m := _CHAIN.fullmatch(path)):
            return _xml(_index([f"{base}/chain/{int(m.group(1)) + 1}.xml"]))
        if self.variant == "huge-index":
            if path == "/many-index":
                return redirect_reply(f"{base}/many-index.xml")
            if path == "/many-index.xml":
                return _xml(_index([f"{base}/many/{n}.xml" for n in range(HUGE_INDEX_SIZE)]))
            if m := _MANY_SITEMAP.fullmatch(path):
                return _xml(_urlset([f"{base}/2026/11/21/many-story-{m.group(1)}/"]))
            if m := _MANY_STORY.fullmatch(path):
                return html_reply(article_html(f"Story number {m.group(1)} of the long index"))
        if self.variant == "malformed-pages":
            if path == DEEP_JSONLD_PATH:
                deep = "[" * JSONLD_DEPTH + "]" * JSONLD_DEPTH
                script = f'<script type="application/ld+json">{deep}</script>'
                return html_reply(article_html("A story whose data is nested too deep", script))
            if path == BIG_COOKIE_PATH:
                page = article_html("A story behind a very large cookie").encode()
                return Reply(200, page, [("Content-Type", HTML_UTF8), ("Set-Cookie", "consent=" + "x" * COOKIE_SIZE)])
        return None
