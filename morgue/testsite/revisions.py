"""A small news site whose articles can be corrected: for testing incremental crawls.

``robots.txt`` names ``/sitemap.xml``, which lists every article with its
``lastmod``; each article answers with an ``ETag`` and ``Last-Modified`` and
honours ``If-None-Match`` / ``If-Modified-Since`` with a 304. ``correct(n)``
changes article ``n``'s text and moves its ``lastmod``; ``touch(n)`` moves the
``lastmod`` alone (a sitemap that says more changed than did). Every request
is recorded (method, path, conditional headers). Standard library only.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

#: publication date of every article: older than any recheck window
PUBLISHED = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)

_WORDS = [
    "council", "harbour", "ferry", "budget", "library", "school", "market", "bridge", "river", "museum",
    "tram", "station", "park", "festival", "hospital", "election", "mayor", "workers", "tenants", "rent",
    "housing", "weather", "storm", "flood", "archive",
]


def _paragraphs(n: int, revision: int) -> list[str]:
    out = []
    for p in range(5):
        words = [_WORDS[(n * 7 + p * 3 + i * 5) % len(_WORDS)] for i in range(45)]
        out.append(f"In Eastbridge, story {n} paragraph {p}: " + " ".join(words).capitalize() + ".")
    if revision:
        out.append(f"Correction {revision}: an earlier version of this story misstated the council's vote "
                   f"on item {n}; it passed by {revision + 4} votes to three.")
    return out


class Article:
    def __init__(self, n: int):
        self.n = n
        self.path = f"/news/2026/01/05/story-number-{n}/"
        self.revision = 0
        self.modified = PUBLISHED

    def html(self, base: str) -> bytes:
        paras = "\n".join(f"<p>{p}</p>" for p in _paragraphs(self.n, self.revision))
        title = f"Eastbridge story number {self.n}"
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article">
<link rel="canonical" href="{base}{self.path}">
<meta property="article:published_time" content="{PUBLISHED.isoformat()}">
</head><body><header><a href="/">The Revision Times</a></header>
<article><h1>{title}</h1><p class="byline">By Ada Reporter</p>
{paras}
</article><footer>Copyright The Revision Times</footer></body></html>""".encode()

    def etag(self) -> str:
        return '"' + hashlib.sha1(f"{self.n}-{self.revision}".encode()).hexdigest()[:16] + '"'


class RevisionSite:
    """``with RevisionSite(articles=20) as site:`` serves on 127.0.0.1, an ephemeral port."""

    def __init__(self, articles: int = 12, conditional: bool = True):
        self.articles = [Article(n) for n in range(articles)]
        self.conditional = conditional  # False: validators ignored, every GET is a 200
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def correct(self, n: int) -> None:
        """A correction: new text, a later ``lastmod`` and ``Last-Modified``, a new ``ETag``."""
        with self._lock:
            a = self.articles[n]
            a.revision += 1
            a.modified = a.modified + timedelta(days=1)

    def touch(self, n: int) -> None:
        with self._lock:
            a = self.articles[n]
            a.modified = a.modified + timedelta(hours=1)

    def paths(self, method: str = "GET") -> list[str]:
        with self._lock:
            return [p for m, p, _ in self.requests if m == method]

    def sitemap(self) -> bytes:
        base = self.url.rstrip("/")
        items = "".join(f"<url><loc>{base}{a.path}</loc><lastmod>{a.modified.isoformat()}</lastmod></url>"
                        for a in self.articles)
        return (f'<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>').encode()

    def reply(self, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        base = self.url.rstrip("/")
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode()
        if path == "/sitemap.xml":
            return 200, [("Content-Type", "application/xml")], self.sitemap()
        if path == "/":
            links = "".join(f'<li><a href="{a.path}">Story {a.n}</a></li>' for a in self.articles[:3])
            return 200, [("Content-Type", "text/html; charset=utf-8")], (
                f"<html><head><title>The Revision Times</title></head><body><ul>{links}</ul></body></html>"
            ).encode()
        for a in self.articles:
            if path == a.path:
                with self._lock:
                    etag, modified, body = a.etag(), format_datetime(a.modified, usegmt=True), a.html(base)
                validators = [("ETag", etag), ("Last-Modified", modified)]
                if self.conditional and (headers.get("If-None-Match") == etag
                                         or (not headers.get("If-None-Match")
                                             and headers.get("If-Modified-Since") == modified)):
                    return 304, validators, b""
                return 200, [("Content-Type", "text/html; charset=utf-8"), *validators], body
        return 404, [("Content-Type", "text/plain")], b"not found"

    def __enter__(self) -> Self:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = dict(self.headers.items())
                with site._lock:
                    site.requests.append(("GET", self.path, headers))
                status, extra, body = site.reply(self.path, headers)
                self.send_response(status)
                for name, value in extra:
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
