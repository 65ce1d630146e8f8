"""Serve the test site on 127.0.0.1 from a background thread.

Standard library only, so tests and ``morgue demo`` need no web server. The
handler speaks HTTP/1.1 with Content-Length (chunked for the one story that
asks), gzips when the client accepts it, and records every request.
"""

from __future__ import annotations

import gzip
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any

from morgue.testsite import feeds, pages
from morgue.testsite.articles import STORIES
from morgue.testsite.routes import Reply, Router

if TYPE_CHECKING:
    from typing_extensions import Self

_ANCHOR_HREF = re.compile(r'<a\s[^>]*?href="(/[^"#]*)"')
CHUNK_SIZE = 4096


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    #: idle keep-alive connections are dropped after this, so stop() never waits on them
    timeout = 10
    server: _Server

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        headers = dict(self.headers.items())
        self.server.site._record(self.command, self.path, headers)
        delay = self.server.site.slow.get(self.path.split("?")[0])
        if delay:
            time.sleep(delay)
        reply = self.server.site._router.reply(self.command, self.path, headers)
        self._send(reply, send_body, "gzip" in self.headers.get("Accept-Encoding", ""))

    def _send(self, reply: Reply, send_body: bool, gzip_ok: bool) -> None:
        body = reply.body
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.compress:
            self.send_header("Vary", "Accept-Encoding")
            if gzip_ok:
                body = gzip.compress(body, mtime=0)
                self.send_header("Content-Encoding", "gzip")
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body:
            return
        if reply.chunked:
            for start in range(0, len(body), CHUNK_SIZE):
                piece = body[start : start + CHUNK_SIZE]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the requests are in ``NewsSite.requests``; test output stays readable."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: NewsSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet when the client hangs up (a crawler cancelling an oversized page does)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class NewsSite:
    """A small local news site for crawl tests and ``morgue demo``.

    ``variant`` picks a behaviour (see ``routes.VARIANTS``): "normal",
    "disallow-all", "forbidden", "no-articles", "rate-limited",
    "offsite-redirect", "broken-discovery", one of the listing variants of
    ``listings.VARIANTS``, or one of the hostile variants of ``hostile.VARIANTS``,
    some of which name ``trap_port``: a port on 127.0.0.1 the test keeps open that accepts and never answers. The site
    binds 127.0.0.1 on a free port: tests never share a fixed port and never
    leave the machine.
    """

    def __init__(self, variant: str = "normal", port: int = 0, *, trap_port: int | None = None) -> None:
        self.variant = variant
        self.port = port
        self.trap_port = trap_port
        self.url = ""
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        #: time.monotonic() of each request, in the same order as ``requests``
        self.request_times: list[float] = []
        #: path -> seconds to wait before answering it (a slow sitemap, say)
        self.slow: dict[str, float] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # built now so a bad variant fails before any socket opens; rebuilt with the real port
        self._router = Router(variant, "http://127.0.0.1:0", trap_port)
        self._articles: list[dict[str, Any]] | None = None

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("test site already started")
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.site = self
        port = server.server_address[1]
        self.url = f"http://127.0.0.1:{port}/"
        self._router = Router(self.variant, self.url, self.trap_port)
        self._articles = None
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=f"testsite-{port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Block until interrupted, starting first if needed (``python -m morgue.testsite``)."""
        if self._server is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((method, path, headers))
            self.request_times.append(time.monotonic())

    def requested_paths(self) -> list[str]:
        """Paths (with query) in the order requested, robots.txt included."""
        with self._lock:
            return [path for _, path, _ in self.requests]

    @property
    def articles(self) -> list[dict[str, Any]]:
        """The articles this variant publishes, with what clean text must and must not hold."""
        if not self.url:
            raise RuntimeError("start the test site before asking for its articles")
        if self._articles is None:
            self._articles = self._build_articles()
        return self._articles

    def article(self, path: str) -> dict[str, Any]:
        """One entry of ``articles`` by path (or full URL)."""
        if path.startswith("http"):
            path = "/" + path.split("/", 3)[3]
        for entry in self.articles:
            if entry["path"] == path:
                return entry
        raise KeyError(path)

    def _build_articles(self) -> list[dict[str, Any]]:
        if self.variant in ("forbidden", "no-articles"):
            return []
        base = self.url.rstrip("/")
        if self._router.listings:
            return [{"path": s.path, "url": base + s.path, "title": s.title, "published": s.published}
                    for s in self._router.listings.stories]
        linked_from: dict[str, list[str]] = {}
        for page_path, html in self._router.html_pages().items():
            for href in dict.fromkeys(_ANCHOR_HREF.findall(html)):
                if href != page_path:
                    linked_from.setdefault(href, []).append(page_path)
        entries = []
        for story in STORIES:
            page = pages.article(story, base)
            entries.append(
                {
                    "path": story.path,
                    "url": base + story.path,
                    "title": story.title,
                    "published": story.published[:10] if story.published else None,
                    "key_passages": list(story.key_passages),
                    "boilerplate": list(page.markers),
                    "via": story.via,
                    "encoding": story.encoding,
                    # beyond the brief: where a crawler can find the story, and the date it is listed with
                    "listed_date": story.listed[:10],
                    "listed_in": feeds.listed_in(story),
                    "linked_from": linked_from.get(story.path, []),
                    "author": story.author.name,
                    "chunked": story.chunked,
                    "charset_in_header": story.charset_in_header,
                }
            )
        return entries
