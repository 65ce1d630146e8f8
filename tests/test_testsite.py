"""Smoke tests of the bundled test site: crawl tests trust it, so it must say what it does."""

from __future__ import annotations

import gzip
import html
import http.client
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import urlsplit

import pytest

from morgue.testsite import NewsSite
from morgue.testsite.articles import HUGE_PATH, PDF_PATH, PRIVATE_PATH
from morgue.testsite.hostile import (
    BIG_COOKIE_PATH,
    COOKIE_SIZE,
    DEEP_JSONLD_PATH,
    ERROR_STATUSES,
    ERROR_TITLE,
    HUGE_INDEX_SIZE,
    JSONLD_DEPTH,
    error_path,
)

NO_DATE = "/politics/rail-strike-talks-collapse/"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(site: NewsSite, path: str, **headers: str) -> tuple[int, Message, bytes]:
    """GET without following redirects; error statuses are returned, not raised."""
    request = urllib.request.Request(site.url.rstrip("/") + path, headers=headers)
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def text_of(body: bytes, encoding: str = "utf-8") -> str:
    return html.unescape(body.decode(encoding))


@pytest.fixture(scope="module")
def site():
    with NewsSite() as s:
        yield s


def test_home_links_sections_feed_and_the_private_page(site):
    status, headers, body = fetch(site, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in page and 'href="/feed/"' in page
    for path in ("/politics/", "/science/", "/culture/", "/tag/climate/", PRIVATE_PATH):
        assert f'href="{path}"' in page
    assert site.requested_paths()[-1] == "/"
    assert site.requests[-1][0] == "GET" and "Host" in site.requests[-1][2]


def test_robots_and_sitemaps(site):
    status, _, body = fetch(site, "/robots.txt")
    robots = body.decode()
    assert status == 200 and "Disallow: /private/" in robots
    assert f"Sitemap: {site.url}sitemap_index.xml" in robots
    assert "/robots.txt" in site.requested_paths()

    index = fetch(site, "/sitemap_index.xml")[2].decode()
    assert "/news-sitemap.xml" in index and "/sitemap-posts.xml.gz" in index
    news = fetch(site, "/news-sitemap.xml")[2].decode()
    for tag in ("news:publication_date", "news:title", "news:keywords", "news:language"):
        assert f"<{tag}>" in news
    status, headers, body = fetch(site, "/sitemap-posts.xml.gz")
    assert headers["Content-Type"] == "application/x-gzip" and "Content-Encoding" not in headers
    posts = gzip.decompress(body).decode()
    assert "<lastmod>2025-" in posts and NO_DATE in posts


def test_articles_are_listed_where_they_claim(site):
    feed = fetch(site, "/feed/")[2].decode()
    news = fetch(site, "/news-sitemap.xml")[2].decode()
    posts = gzip.decompress(fetch(site, "/sitemap-posts.xml.gz")[2]).decode()
    for tag in ("<pubDate>", "<dc:creator>", "<category>", "<guid"):
        assert tag in feed
    assert 8 <= len(site.articles) <= 10
    vias = {a["via"] for a in site.articles}
    assert vias == {"sitemap", "news-sitemap", "feed", "link"}
    for article in site.articles:
        url = article["url"]
        assert (url in news) == (article["via"] == "news-sitemap")
        if article["via"] == "sitemap":
            assert url in posts and url not in feed
        if article["via"] == "feed":
            assert url in feed and url not in posts and not article["linked_from"]
        if article["via"] == "link":
            assert url not in feed + news + posts and article["linked_from"]
    assert site.article(NO_DATE)["published"] is None
    assert site.article(site.url + NO_DATE.lstrip("/"))["listed_date"] == "2026-11-12"


def test_each_article_page_holds_its_passages_and_boilerplate(site):
    for article in site.articles:
        status, _, body = fetch(site, article["path"])
        assert status == 200, article["path"]
        page = text_of(body, article["encoding"])
        assert f"<title>{article['title']} | The Morgue Gazette</title>" in page
        for passage in article["key_passages"]:
            assert passage in page, passage
        for marker in article["boilerplate"]:
            assert marker in page, marker
        words = sum(len(re.sub(r"<[^>]+>", " ", p).split()) for p in re.findall(r"<p>(.*?)</p>", page))
        assert 300 <= words <= 700, (article["path"], words)
        if article["published"]:
            assert f'content="{article["published"]}' in page  # article:published_time
            assert '"@type": "NewsArticle"' in page or "node--type-article" in page


def test_the_undated_article_has_no_date_anywhere(site):
    page = fetch(site, NO_DATE)[2].decode()
    assert not re.search(r"\b(19|20)\d\d\b", page)
    assert "published_time" not in page and "<time" not in page and "datePublished" not in page


def test_gzip_only_when_asked(site):
    path = "/2026/11/20/city-council-approves-new-budget/"
    status, headers, body = fetch(site, path, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert int(headers["Content-Length"]) == len(body)
    plain = gzip.decompress(body)
    assert b"City council approves new budget" in plain
    status, headers, body = fetch(site, path)
    assert "Content-Encoding" not in headers and body == plain


def test_charsets(site):
    cp1252 = next(a for a in site.articles if a["encoding"] == "windows-1252")
    status, headers, body = fetch(site, cp1252["path"])
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=windows-1252"
    assert b"\x93" in body and b"\x94" in body and b"\x97" in body  # curly quotes and em dash
    assert cp1252["key_passages"][0] in text_of(body, "cp1252")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")

    meta_only = next(a for a in site.articles if a["encoding"] == "iso-8859-1")
    _, headers, body = fetch(site, meta_only["path"])
    assert headers["Content-Type"] == "text/html"
    assert body.startswith(b'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="iso-8859-1">')
    assert "Zoë Lefèvre" in text_of(body, "latin-1")


def test_one_article_is_chunked_the_rest_have_a_length(site):
    chunked = [a for a in site.articles if a["chunked"]]
    assert len(chunked) == 1
    host, port = urlsplit(site.url).hostname, urlsplit(site.url).port
    for article in site.articles:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", article["path"])
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if article["chunked"]:
            assert response.getheader("Transfer-Encoding") == "chunked"
            assert response.getheader("Content-Length") is None
            assert article["key_passages"][0].encode() in body
        else:
            assert int(response.getheader("Content-Length")) == len(body)
        assert response.version == 11


def test_redirect_errors_and_odd_documents(site):
    status, headers, _ = fetch(site, "/old/city-budget")
    assert status == 301 and headers["Location"] == site.url + "2026/11/20/city-council-approves-new-budget/"
    status, headers, body = fetch(site, "/no/such/page/")
    assert status == 404 and b"<html" in body and headers["Content-Type"].startswith("text/html")
    assert fetch(site, "/broken/")[0] == 500
    status, headers, body = fetch(site, PDF_PATH)
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-") and b"%%EOF" in body
    assert f'href="{PDF_PATH}"' in fetch(site, "/2026/11/20/city-council-approves-new-budget/")[2].decode()
    assert f'href="{HUGE_PATH}"' in fetch(site, "/politics/")[2].decode()
    status, headers, body = fetch(site, HUGE_PATH, **{"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in headers  # so the bytes on the wire exceed a 1 MB DOWNLOAD_MAXSIZE
    assert len(body) == int(headers["Content-Length"]) > 2_500_000


def test_disallow_all():
    with NewsSite(variant="disallow-all") as site:
        assert fetch(site, "/robots.txt")[2] == b"User-agent: *\nDisallow: /\n"


def test_forbidden():
    with NewsSite(variant="forbidden") as site:
        assert fetch(site, "/robots.txt")[0] == 404
        status, _, body = fetch(site, "/")
        assert status == 403 and b"Forbidden" in body
        assert fetch(site, "/feed/")[0] == 403
        assert site.articles == []
        assert site.requested_paths() == ["/robots.txt", "/", "/feed/"]


def test_no_articles():
    with NewsSite(variant="no-articles") as site:
        robots = fetch(site, "/robots.txt")[2].decode()
        assert "Sitemap" not in robots
        for path in ("/sitemap.xml", "/sitemap_index.xml", "/feed/", "/politics/"):
            assert fetch(site, path)[0] == 404, path
        page = fetch(site, "/")[2].decode()
        assert set(re.findall(r'href="([^"]+)"', page)) <= {site.url, "/", "/about/", "/contact/", "#content"}
        assert "rss" not in page
        assert fetch(site, "/about/")[0] == 200
        assert site.articles == []


def test_rate_limited():
    with NewsSite(variant="rate-limited") as site:
        assert [fetch(site, "/robots.txt")[0] for _ in range(2)] == [200, 200]
        answers = [fetch(site, "/") for _ in range(4)]
        assert [status for status, _, _ in answers] == [429, 429, 429, 200]
        assert answers[0][1]["Retry-After"] == "2"
        assert fetch(site, "/politics/")[0] == 200  # only the first HTML requests are limited
        assert fetch(site, "/feed/")[0] == 200


def test_offsite_redirect():
    with NewsSite(variant="offsite-redirect") as site:
        status, headers, _ = fetch(site, "/")
        assert status == 301
        location = urlsplit(headers["Location"])
        assert location.hostname == "localhost" and location.port == urlsplit(site.url).port
        assert fetch(site, "/robots.txt")[0] == 200


def test_hostile_variants_serve_what_they_claim():
    with pytest.raises(ValueError, match="trap_port"):
        NewsSite(variant="foreign-schemes")
    with NewsSite(variant="foreign-schemes", trap_port=9) as site:
        robots = fetch(site, "/robots.txt")[2].decode()
        for line in ("Sitemap: ftp://127.0.0.1:9/", "Sitemap: s3://127.0.0.1/", "Sitemap: mailto:",
                     "Sitemap: javascript:", "Sitemap: http://127.0.0.1:9/never-answers.xml"):
            assert line in robots
        assert "ftp://127.0.0.1:9/child.xml" in fetch(site, "/foreign-index.xml")[2].decode()
        assert "<link>javascript:" in fetch(site, "/feed/")[2].decode()
        assert 'href="s3://127.0.0.1/' in fetch(site, "/")[2].decode()
    with NewsSite(variant="home-to-ftp", trap_port=9) as site:
        status, headers, _ = fetch(site, "/")
        assert status == 301 and headers["Location"] == "ftp://127.0.0.1:9/"
    with NewsSite(variant="error-pages") as site:
        for status in ERROR_STATUSES:
            code, _, body = fetch(site, error_path(status))
            assert code == status and b'og:type" content="article"' in body and ERROR_TITLE.encode() in body
        assert fetch(site, "/missing-sitemap.xml")[0] == 404
        assert error_path(410).encode() in fetch(site, "/feed/")[2]
    with NewsSite(variant="endless-sitemaps") as site:
        assert "/chain/41.xml" in fetch(site, "/chain/40.xml")[2].decode()
    with NewsSite(variant="huge-index") as site:
        assert fetch(site, "/many-index.xml")[2].count(b"<sitemap>") == HUGE_INDEX_SIZE == 10_000
        assert "/2026/11/21/many-story-9999/" in fetch(site, "/many/9999.xml")[2].decode()
        assert fetch(site, "/2026/11/21/many-story-9999/")[0] == 200
    with NewsSite(variant="malformed-pages") as site:
        assert fetch(site, DEEP_JSONLD_PATH)[2].count(b"[") >= JSONLD_DEPTH
        # read raw: Python's own HTTP client refuses a header line over 64 kB
        with socket.create_connection(("127.0.0.1", urlsplit(site.url).port), timeout=10) as conn:
            conn.sendall(f"GET {BIG_COOKIE_PATH} HTTP/1.0\r\n\r\n".encode())
            raw = b"".join(iter(lambda: conn.recv(65536), b""))
        cookie = next(line for line in raw.split(b"\r\n") if line.startswith(b"Set-Cookie:"))
        assert raw.startswith(b"HTTP/1.1 200") and len(cookie) > COOKIE_SIZE


def test_unknown_variant_fails_before_binding():
    with pytest.raises(ValueError, match="variant"):
        NewsSite(variant="nope")


def test_module_serves_and_prints_the_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "morgue.testsite", "--variant", "disallow-all"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "robots.txt", timeout=10) as response:
            assert response.read() == b"User-agent: *\nDisallow: /\n"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_listing_variants_serve_their_sections_pagination_and_traps():
    from morgue.testsite.routes import Router

    links = Router("links-only", "http://127.0.0.1:1/")
    assert links.reply("GET", "/sitemap.xml", {}).status == 404 and links.reply("GET", "/feed/", {}).status == 404
    assert b'rel="next" href="/category/world/page/3/"' in links.reply("GET", "/category/world/page/2/", {}).body
    assert b"?page=3" in links.reply("GET", "/category/business/?page=2", {}).body
    assert links.reply("GET", "/category/world/page/4/", {}).status == 404  # three pages a section
    trap = Router("listing-trap", "http://127.0.0.1:1/")
    assert b"?page=1001" in trap.reply("GET", "/category/local/?page=1000", {}).body  # for ever
    assert b'href="/1999/12/"' in trap.reply("GET", "/2000/01/", {}).body
    generic = Router("generic-sitemap", "http://127.0.0.1:1/")
    assert b"/forum/thread/1234" in generic.reply("GET", "/sitemap.xml", {}).body
