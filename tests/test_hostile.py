"""Hostile sites, each served on 127.0.0.1 by a variant of the test site and crawled by the real CLI.

Each test asserts what a user sees: what lands in the store, the summary, the
exit code, and that the crawl ends within a bound.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from morgue.testsite import NewsSite
from morgue.testsite.hostile import (
    BIG_COOKIE_PATH,
    COOKIE_SIZE,
    DEEP_JSONLD_PATH,
    ERROR_STATUSES,
    ERROR_TITLE,
    error_path,
)
from tests.conftest import FAST, morgue, text_records, warc_records

if TYPE_CHECKING:
    from typing_extensions import Self

#: no S3 handler: if a regression let an s3:// URL through, it fails here instead of looking up a host at Amazon
NO_S3 = ["-s", 'DOWNLOAD_HANDLERS={"s3": null}']


#: as in the shared crawl of the normal site: its 3 MB page is skipped (site.articles leaves it out)
SMALL = ["-s", "DOWNLOAD_MAXSIZE=1000000"]


class Trap:
    """A port on 127.0.0.1 that accepts connections and never answers a byte."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self._connections.append(connection)

    def sent(self) -> list[bytes]:
        """What each client sent before giving up: an HTTP client asks first, an FTP client waits."""
        out = []
        for connection in self._connections:
            connection.settimeout(0.5)
            try:
                out.append(connection.recv(4096))
            except OSError:
                out.append(b"")
        return out

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()
        for connection in self._connections:
            connection.close()


def timed_crawl(url: str, store, *extra: str, bound: float):
    """The crawl's outcome; the test fails if it does not end within ``bound`` seconds."""
    try:
        return morgue("crawl", url, "--store", str(store), *FAST, *SMALL, *extra, timeout=bound)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the crawl did not end within {bound} s")


def paths(records: list[dict]) -> list[str]:
    return sorted(urlsplit(r["url"]).path for r in records)


def test_only_http_urls_are_requested_and_a_silent_port_times_out(tmp_path):
    with Trap() as trap, NewsSite("foreign-schemes", trap_port=trap.port) as site:
        run = timed_crawl(site.url, tmp_path, "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0", *NO_S3, bound=40)
        sent = trap.sent()
        articles = sorted(a["path"] for a in site.articles)
        requested = site.requested_paths()
    assert run.code == 0, run.stderr[-3000:]
    # the ftp:// sitemap on the trap port was never asked for: every connection there was HTTP,
    # robots.txt and the http:// sitemap, each given up after DOWNLOAD_TIMEOUT
    assert sent and all(s.startswith(b"GET ") for s in sent), sent
    assert any(b"/never-answers.xml" in s for s in sent)
    for scheme in ("ftp:", "s3:", "mailto:", "javascript:"):
        assert f"<GET {scheme}" not in run.stderr
    assert "Unsupported URL scheme" not in run.stderr and "Traceback" not in run.stderr
    assert "/foreign-index.xml" in requested and "/foreign-sitemap.xml" in requested
    assert paths(text_records(tmp_path)) == articles
    errors = [line for line in run.stderr.splitlines() if "ERROR:" in line]
    assert any("never-answers.xml" in line for line in errors), errors
    assert "warning: 1 sitemaps or feeds could not be read" in run.stderr


def test_a_home_page_redirecting_to_ftp_is_not_followed(tmp_path):
    with Trap() as trap, NewsSite("home-to-ftp", trap_port=trap.port) as site:
        run = timed_crawl(site.url, tmp_path, *NO_S3, bound=40)
        sent = trap.sent()
    assert sent == []
    assert run.code == 0, run.stderr[-3000:]  # the sitemaps and feed still give the articles
    assert "redirected off the site to ftp://" in run.stderr


def test_error_pages_never_become_articles(tmp_path):
    with NewsSite("error-pages") as site:
        run = timed_crawl(site.url, tmp_path, bound=60)
        articles = sorted(a["path"] for a in site.articles)
        requested = set(site.requested_paths())
    assert run.code == 0, run.stderr[-3000:]
    for status in ERROR_STATUSES:  # listed in the feed and a sitemap, fetched, archived, not extracted
        assert error_path(status) in requested
    records = text_records(tmp_path)
    assert paths(records) == articles
    assert not [r for r in records if ERROR_TITLE in (r.get("title") or "")]
    assert f"morgue: articles archived: {len(articles)} " in run.stderr
    archived = {urlsplit(r["headers"]["WARC-Target-URI"]).path for r in warc_records(tmp_path)
                if r["type"] == "response"}
    assert {error_path(s) for s in ERROR_STATUSES} <= archived
    # robots.txt names a sitemap that answers 404 and one that is not XML: both are counted
    assert "warning: 2 sitemaps or feeds could not be read" in run.stderr


def test_a_sitemap_listing_only_error_pages_archives_nothing_and_fails(tmp_path):
    with NewsSite("error-pages") as site:
        run = timed_crawl(site.url + "error-sitemap.xml", tmp_path, bound=60)
    assert text_records(tmp_path) == []
    assert "morgue: articles archived: 0 " in run.stderr
    assert run.code == 1, run.stderr[-3000:]


def test_an_endless_chain_of_sitemap_indexes_stops_at_the_depth_bound(tmp_path):
    with NewsSite("endless-sitemaps") as site:
        run = timed_crawl(site.url, tmp_path, bound=40)
        chain = [p for p in site.requested_paths() if p.startswith("/chain/")]
        articles = sorted(a["path"] for a in site.articles)
    assert run.code == 0, run.stderr[-3000:]
    assert chain == ["/chain/0.xml", "/chain/1.xml", "/chain/2.xml", "/chain/3.xml"]  # MORGUE_SITEMAP_DEPTH=3
    assert run.stderr.count("Reached MORGUE_SITEMAP_DEPTH=3") == 1
    assert paths(text_records(tmp_path)) == articles


def test_an_index_of_10000_sitemaps_is_read_up_to_the_bound(tmp_path):
    with NewsSite("huge-index") as site:
        run = timed_crawl(site.url, tmp_path, "-s", "MORGUE_MAX_SITEMAPS=20", bound=60)
        requested = site.requested_paths()
        sitemaps = [p for p in requested if p.startswith("/many/")]
    assert run.code == 0, run.stderr[-3000:]
    assert requested.index("/many-index") < requested.index("/many-index.xml")  # a sitemap's redirect is followed
    # robots.txt names three sitemaps, the normal index lists one more: 16 are left for the big index
    assert 0 < len(sitemaps) <= 16
    assert run.stderr.count("Reached MORGUE_MAX_SITEMAPS=20") == 1
    many = [p for p in paths(text_records(tmp_path)) if "/many-story-" in p]
    assert len(many) == len(sitemaps)  # each sitemap read gave its one article


def test_max_pages_ends_a_crawl_of_a_10000_sitemap_index(tmp_path):
    with NewsSite("huge-index") as site:
        run = timed_crawl(site.url + "many-index.xml", tmp_path, "--max-pages", "4", bound=30)
        requested = site.requested_paths()
    assert run.code == 0, run.stderr[-3000:]
    assert len(text_records(tmp_path)) == 4
    # the index, the few sitemaps in Scrapy's hands when the fourth article was found, the articles
    assert len([p for p in requested if p.startswith("/many/")]) <= 8
    assert len(requested) < 20
    assert "Reached max_pages=4" in run.stderr


@pytest.fixture(scope="module")
def malformed(tmp_path_factory):
    store = tmp_path_factory.mktemp("archive")
    with NewsSite("malformed-pages") as site:
        yield site, store, timed_crawl(site.url, store, bound=60)


def test_json_ld_nested_100000_deep_does_not_lose_the_page(malformed):
    site, store, run = malformed
    assert run.code == 0, run.stderr[-3000:]
    assert "RecursionError" not in run.stderr and "Traceback" not in run.stderr
    assert DEEP_JSONLD_PATH in paths(text_records(store))


def test_a_64kb_set_cookie_does_not_lose_the_article(malformed):
    site, store, run = malformed
    assert "Connection was closed cleanly" not in run.stderr
    assert BIG_COOKIE_PATH in paths(text_records(store))
    (response,) = [r for r in warc_records(store) if r["type"] == "response"
                   and r["headers"]["WARC-Target-URI"].endswith(BIG_COOKIE_PATH)]
    assert len(response["http"].get_header("Set-Cookie")) == len("consent=") + COOKIE_SIZE


def test_feeds_are_bounded_too(tmp_path):
    with NewsSite() as site:
        run = timed_crawl(site.url, tmp_path, "-s", "MORGUE_MAX_FEEDS=0", bound=60)
        requested = site.requested_paths()
    assert run.code == 0, run.stderr[-3000:]
    assert "/feed/" not in requested
    assert run.stderr.count("Reached MORGUE_MAX_FEEDS=0: no more feeds are read") == 1
