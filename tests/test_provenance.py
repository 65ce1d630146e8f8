"""How each article was found is kept beside its capture and in its text record."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

from morgue.discovery.feeds import parse_feed
from morgue.discovery.sitemaps import parse_sitemap
from morgue.testsite import NewsSite
from morgue.warc.cdxj import parse_metadata
from tests.conftest import crawl, text_records, warc_records


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as r:
        return r.read()


def metadata_by_path(store):
    records = warc_records(store)
    responses = {r["headers"]["WARC-Record-ID"]: r for r in records if r["type"] == "response"}
    out = {}
    for r in records:
        if r["type"] == "metadata":
            response = responses[r["headers"]["WARC-Concurrent-To"]]
            assert response["headers"]["WARC-Target-URI"] == r["headers"]["WARC-Target-URI"]
            assert r["headers"]["Content-Type"] == "application/warc-fields"
            path = urlsplit(r["headers"]["WARC-Target-URI"]).path
            out[path] = parse_metadata(r["payload"], r["headers"]["Content-Type"])
    return out


def test_news_sitemap_and_feed_entries_are_kept_beside_the_capture(crawled):
    site, store, run = crawled
    meta = metadata_by_path(store)
    _, news = parse_sitemap(fetch(site.url + "news-sitemap.xml"), site.url + "news-sitemap.xml")
    assert news
    for entry in news:
        path = urlsplit(entry.url).path
        assert meta[path]["via"] == "news-sitemap"
        assert meta[path]["from"].endswith("/news-sitemap.xml")
        assert meta[path]["entry"]["title"] == entry.info["title"]
        assert meta[path]["entry"]["publication_date"] == entry.info["publication_date"]
    feed_items = parse_feed(fetch(site.url + "feed/"), site.url + "feed/")
    feed_only = [a for a in site.articles if a["via"] == "feed"]
    assert feed_only
    for article in feed_only:
        item = next(i for i in feed_items if urlsplit(i.url).path == article["path"])
        m = meta[article["path"]]
        assert m["via"] == "feed" and m["from"].endswith("/feed/")
        for name in ("title", "published", "author", "guid"):
            assert m["entry"][name] == item.info[name], name
        assert m["entry"]["categories"] == item.info["categories"]
    links = [a for a in site.articles if a["via"] == "link"]
    for article in links:
        assert meta[article["path"]]["via"] == "link"
        assert meta[article["path"]]["entry"]["anchor_text"]


def test_text_records_say_how_they_were_found_and_by_which_extractor(crawled):
    site, store, run = crawled
    records = {urlsplit(r["url"]).path: r for r in text_records(store)}
    for article in site.articles:
        record = records[article["path"]]
        assert record["discovered_via"] == article["via"]
        assert record["discovered_from"].startswith(site.url)
        assert record["extractor"].startswith("morgue ")
        assert "trafilatura" in record["extractor"]
    assert len({r["extractor"] for r in records.values()}) == 1


def test_a_page_without_a_date_takes_the_sitemap_date(crawled):
    site, store, run = crawled
    records = {urlsplit(r["url"]).path: r for r in text_records(store)}
    undated = [a for a in site.articles if a["published"] is None]
    assert undated, "the test site has an article with no date of its own"
    for article in undated:
        record = records[article["path"]]
        assert record["published_source"] == "sitemap"
        assert record["published"].startswith(article["listed_date"])
    dated = [r for r in records.values() if r["published_source"] == "page"]
    assert len(dated) >= len(records) - len(undated)


def test_the_extractor_id_is_stable_across_runs(crawled, tmp_path):
    site, store, run = crawled
    first = {r["extractor"] for r in text_records(store)}
    run2 = crawl(site.url, tmp_path, "--max-pages", "1")
    assert run2.code == 0
    assert {r["extractor"] for r in text_records(tmp_path)} == first


def test_a_capture_and_its_text_record_share_one_date(crawled):
    site, store, run = crawled
    records = warc_records(store)
    responses = {r["headers"]["WARC-Record-ID"]: r for r in records if r["type"] == "response"}
    for r in records:
        if r["type"] in ("request", "metadata"):
            assert r["headers"]["WARC-Date"] == responses[r["headers"]["WARC-Concurrent-To"]]["headers"]["WARC-Date"]
    texts = text_records(store)
    assert texts
    for text in texts:
        assert text["fetched_at"] == responses[text["warc_record_id"]]["headers"]["WARC-Date"]


def test_a_page_both_linked_and_listed_is_recorded_as_listed_however_slow_the_sitemaps(tmp_path):
    """The home page's links are answered long before slow sitemaps and feeds: the articles those
    list must still be fetched as listed, so their records carry what the sitemap or feed says."""
    with NewsSite() as site:
        for path in ("/robots.txt", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap.xml", "/feed/"):
            site.slow[path] = 1.0
        run = crawl(site.url, tmp_path)
        assert run.code == 0, run.stderr[-2000:]
        records = {urlsplit(r["url"]).path: r for r in text_records(tmp_path)}
    for article in site.articles:
        found = records[article["path"]]["discovered_via"]
        assert (found == "link") == (article["via"] == "link"), (article["path"], found)
