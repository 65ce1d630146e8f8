"""Listing pages, page kinds and junk links, on the test site's listing variants, crawled by the real CLI.

Each test asserts on what lands in the store: the articles with text, none for
listing or static pages, no duplicates, and a crawl that stays within its bounds.
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import pytest

from morgue.testsite import NewsSite
from morgue.testsite.listings import (
    AGAIN_QUERY,
    CART_QUERY,
    GENERIC_LISTINGS,
    GENERIC_PAGES,
    HOME_STORIES,
    LINKS_ONLY_STORIES,
    TRAP_SECTION,
)
from tests.conftest import FAST, morgue, text_records, warc_records


def run_crawl(url: str, store, *extra: str, bound: float = 60):
    try:
        return morgue("crawl", url, "--store", str(store), *FAST, *extra, timeout=bound)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the crawl did not end within {bound} s")


def record_paths(store) -> list[str]:
    return sorted(urlsplit(r["url"]).path for r in text_records(store))


def archived_paths(store) -> set[str]:
    return {urlsplit(r["headers"]["WARC-Target-URI"]).path for r in warc_records(store) if r["type"] == "response"}


@pytest.fixture(scope="module")
def links_only(tmp_path_factory):
    store = tmp_path_factory.mktemp("links-only")
    with NewsSite("links-only") as site:
        run = run_crawl(site.url, store)
        yield site, store, run, site.requested_paths()


def test_a_site_without_sitemap_or_feed_gives_every_article(links_only):
    site, store, run, requested = links_only
    assert run.code == 0, run.stderr[-3000:]
    articles = sorted(a["path"] for a in site.articles)
    # sections in the navigation, their pagination (rel="next" links, ?page=N "Older posts",
    # a <link rel="next">) and a tag page lead to every story, each given one text record
    assert record_paths(store) == articles
    for listing in ("/category/world/page/3/", "/category/business/?page=3", "/category/sport/page/3/",
                    "/tag/ukraine/"):
        assert listing in requested
    assert f"morgue: articles archived: {len(articles)} " in run.stderr


def test_listing_and_static_pages_are_archived_without_text(links_only):
    site, store, run, requested = links_only
    archived = archived_paths(store)
    assert {"/", "/category/world/", "/category/world/page/2/", "/tag/ukraine/"} <= archived
    records = record_paths(store)
    assert not [p for p in records if p.startswith(("/category/", "/tag/")) or p in ("/", "/about/", "/contact/")]


def test_tracking_cart_share_and_reply_links_are_not_followed(links_only):
    site, store, run, requested = links_only
    queries = [p for p in requested if "?" in p and not p.startswith("/category/business/?page=")]
    # no utm_*/fbclid, add-to-cart, replytocom or print URL was asked for; ?from=home is a real URL,
    # fetched, and its canonical link makes it the same story: no second text record (see above)
    assert [q.split("?")[1] for q in queries] == [AGAIN_QUERY]
    assert not [p for p in requested if p.startswith("/share/")]
    assert not [p for p in requested if CART_QUERY in p or (p.endswith("/") and p.startswith("/news/"))]
    urls = [r["url"] for r in text_records(store)]
    # one record per story, whichever of its two URLs was answered first
    assert len({urlsplit(u).path for u in urls}) == len(urls) == len(site.articles)
    assert not [u for u in urls if "#" in u or ("?" in u and not u.endswith(AGAIN_QUERY))]


def test_listing_traps_end_at_their_bounds(tmp_path):
    with NewsSite("listing-trap") as site:
        run = run_crawl(site.url, tmp_path, bound=40)
        requested = site.requested_paths()
        articles = sorted(a["path"] for a in site.articles)
    assert run.code == 0, run.stderr[-3000:]
    assert record_paths(tmp_path) == articles
    chain = [p for p in requested if p.startswith(TRAP_SECTION)]
    assert len(chain) == 10  # MORGUE_LISTING_PAGES: the section's first page and nine next ones
    assert [p for p in requested if p[1:5].isdigit()] == ["/2026/11/", "/2026/10/"]  # MORGUE_LISTING_DEPTH=2
    assert not [p for p in requested if p.startswith("/calendar/")]
    assert "Reached MORGUE_LISTING_PAGES=10" in run.stderr


def test_listing_bounds_are_settings(tmp_path):
    with NewsSite("listing-trap") as site:
        run = run_crawl(site.url, tmp_path, "-s", "MORGUE_LISTING_PAGES=3", "-s", "MORGUE_LISTING_DEPTH=1", bound=40)
        requested = site.requested_paths()
    assert run.code == 0, run.stderr[-3000:]
    assert len([p for p in requested if p.startswith(TRAP_SECTION)]) == 3
    assert [p for p in requested if p[1:5].isdigit()] == ["/2026/11/"]


def test_pages_a_sitemap_lists_get_text_unless_they_are_listings(tmp_path):
    with NewsSite("generic-sitemap") as site:
        run = run_crawl(site.url, tmp_path)
    assert run.code == 0, run.stderr[-3000:]
    # press releases, a sports report, a club report, a forum thread, a service notice: few say "article"
    assert record_paths(tmp_path) == sorted(GENERIC_PAGES)
    assert set(GENERIC_LISTINGS) <= archived_paths(tmp_path)  # fetched and archived, no text


def test_since_applies_to_articles_found_by_links(tmp_path, links_only):
    site = links_only[0]
    with NewsSite("links-only") as fresh:
        run = run_crawl(fresh.url, tmp_path, "--since", "2026-11-25")
        requested = set(fresh.requested_paths())
    assert run.code == 0, run.stderr[-3000:]
    # undated URLs: the page's own date keeps the older ones out of the text
    recent = sorted(a["path"] for a in site.articles if a["published"] >= "2026-11-25")
    assert recent and len(recent) < len(site.articles)
    assert record_paths(tmp_path) == recent
    # and the date a section page shows beside a story keeps it from being fetched at all, unless
    # an undated link reaches it too (the home page's, or a story page's "read next")
    undated = {s.path for s in HOME_STORIES}
    undated |= {LINKS_ONLY_STORIES[(LINKS_ONLY_STORIES.index(s) + 1) % len(LINKS_ONLY_STORIES)].path
                for s in HOME_STORIES}
    old = {a["path"] for a in site.articles if a["published"] < "2026-11-25"} - undated
    assert old and not old & requested


def test_since_skips_dated_urls_found_by_links_without_fetching_them(tmp_path):
    with NewsSite() as site:
        run = run_crawl(site.url, tmp_path, "--since", "2026-11-28")
        requested = set(site.requested_paths())
    assert text_records(tmp_path) == []
    # linked from the home page, dated before --since in their URLs (one more is reached only by a redirect)
    assert "/2026/11/19/offshore-wind-farm-wins-approval/" not in requested
    assert "/science/2026/11/18/telescope-finds-water-vapour-12345.html" not in requested
    # nothing new since that date: a quiet day, not a failure, and the summary says why
    assert run.code == 0, run.stderr[-3000:]
    assert "older than --since: " in run.stderr


def test_robots_txt_is_fetched_and_archived_once(links_only, tmp_path):
    site, store, run, requested = links_only
    assert requested.count("/robots.txt") == 1
    robots = [r for r in warc_records(store) if r["type"] == "response"
              and r["headers"]["WARC-Target-URI"].endswith("/robots.txt")]
    assert len(robots) == 1
    # without the robots middleware the spider fetches it itself, once, and still reads its sitemaps
    with NewsSite() as normal:
        run = run_crawl(normal.url, tmp_path, "-s", "ROBOTSTXT_OBEY=False", "-s", "DOWNLOAD_MAXSIZE=1000000")
        asked = normal.requested_paths()
    assert run.code == 0, run.stderr[-3000:]
    assert asked.count("/robots.txt") == 1 and "/sitemap_index.xml" in asked


def test_the_sites_own_article_patterns_make_pages_articles(tmp_path):
    with NewsSite("links-only") as site:
        run = run_crawl(site.url, tmp_path, "-s", 'MORGUE_ARTICLE_URLS=/about/$')
        articles = sorted(a["path"] for a in site.articles)
    assert run.code == 0, run.stderr[-3000:]
    assert record_paths(tmp_path) == sorted([*articles, "/about/"])
    run = run_crawl(site.url, tmp_path / "bad", "-s", 'MORGUE_ARTICLE_URLS=/news/(unclosed')
    assert run.code != 0 and "MORGUE_ARTICLE_URLS" in run.last_line and "Traceback" not in run.stderr
