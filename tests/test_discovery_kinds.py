"""The pure rules of issue 18: page kinds, listing and pagination URLs, URL hygiene, URL dates."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from morgue.discovery.links import is_next_link, looks_like_listing, pagination_number, url_date
from morgue.discovery.pages import canonical_link, classify, published_date, wants_text
from morgue.discovery.urls import clean_url, junk_url

HOME = "https://n.example/"
PROSE = b"<p>" + b"The council met on Tuesday to discuss the proposals at length. " * 20 + b"</p>"
TEASERS = b"".join(b'<article class="teaser"><h3><a href="/news/x-%d">Story %d</a></h3></article>' % (n, n)
                   for n in range(6))


@pytest.mark.parametrize("body, url, kind", [
    (b'<meta property="og:type" content="article">' + PROSE, "https://n.example/x", "article"),
    (PROSE, "https://n.example/2026/11/20/some-long-slug-here/", "article"),
    # says nothing, or "website", with no article URL: a press release, a notice: other, not listing
    (PROSE, "https://n.example/press/annual-report", "other"),
    (b'<meta property="og:type" content="website">' + PROSE, "https://n.example/2026/11/20/a-long-slug-here/",
     "other"),
    (TEASERS, "https://n.example/news/world/", "listing"),
    (b'<script type="application/ld+json">{"@type": "CollectionPage"}</script>', "https://n.example/world",
     "listing"),
    (b'<meta property="og:type" content="article">' + PROSE, "https://n.example/tag/ukraine/", "listing"),
    (PROSE, "https://n.example/category/world/page/2/", "listing"),
    (PROSE, "https://n.example/news/?page=3", "listing"),
    (PROSE, "https://n.example/2026/11/", "listing"),
    (b'<meta property="og:type" content="article">' + PROSE, HOME, "listing"),
    # an article with a few related teasers is still an article
    (b'<meta property="og:type" content="article">' + PROSE + TEASERS, "https://n.example/x", "article"),
])
def test_page_kinds(body, url, kind):
    assert classify(body, url, HOME) == kind


def test_listed_pages_get_text_unless_listings_and_linked_ones_only_when_articles():
    assert wants_text("other", "sitemap") and wants_text("other", "feed") and wants_text("article", "link")
    assert not wants_text("listing", "sitemap") and not wants_text("listing", "seed")
    assert not wants_text("other", "link")


@pytest.mark.parametrize("url, clean", [
    ("https://n.example/a/?utm_source=x&utm_medium=y#comments", "https://n.example/a/"),
    ("https://n.example/a?id=3&fbclid=abc&gclid=1&mc_cid=2", "https://n.example/a?id=3"),
    ("https://n.example/a?b=%2F&c=1", "https://n.example/a?b=%2F&c=1"),  # nothing dropped: as it was
    ("https://n.example", "https://n.example/"),
])
def test_tracking_parameters_and_fragments_are_dropped(url, clean):
    assert clean_url(url) == clean


@pytest.mark.parametrize("url, junk", [
    ("https://n.example/story/?add-to-cart=41057", True),
    ("https://n.example/story/?replytocom=12", True),
    ("https://n.example/share/?url=/x", True),
    ("https://n.example/story?print=1", True),
    ("https://n.example/calendar/?month=2026-11", True),
    ("https://n.example/my-account/login/", True),
    ("https://n.example/story/comment-page-2/", True),
    ("https://n.example/news/world/story-123456", False),
    ("https://n.example/category/world/?page=2", False),
])
def test_junk_links(url, junk):
    assert junk_url(url) is junk


def test_listing_links_and_pagination():
    assert looks_like_listing("https://n.example/category/world/", HOME)
    assert looks_like_listing("https://n.example/tag/ukraine/", HOME)
    assert looks_like_listing("https://n.example/politics/", HOME)
    assert looks_like_listing("https://n.example/news/world/europe/", HOME, in_navigation=True)
    assert not looks_like_listing("https://n.example/news/world/europe/", HOME)
    assert not looks_like_listing("https://n.example/about/", HOME, in_navigation=True)
    assert not looks_like_listing("https://n.example/news/world/story-slug-123456", HOME, in_navigation=True)
    assert not looks_like_listing(HOME, HOME)
    assert pagination_number("https://n.example/category/world/page/12/") == 12
    assert pagination_number("https://n.example/world/?page=3") == 3
    assert pagination_number("https://n.example/world/") is None
    assert is_next_link("Older posts") and is_next_link("Next »") and not is_next_link("Next year's budget")


def test_dates_in_urls_and_pages():
    assert url_date("https://n.example/2026/11/20/story/") == (2026, 11, 20)
    assert url_date("https://n.example/science/2026/11/18/x-12345.html") == (2026, 11, 18)
    assert url_date("https://n.example/2026/11/story-slug") == (2026, 11, 31)
    assert url_date("https://n.example/news/world/story-2026") is None
    page = b'<meta property="article:published_time" content="2026-11-26T09:00:00Z">'
    assert published_date(page) == datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    assert published_date(b'<script>{"datePublished": "2026-11-27"}</script>').day == 27
    assert published_date(b"<p>no date</p>") is None


def test_canonical_link():
    assert canonical_link(b'<link rel="canonical" href="/news/x-1">', "https://n.example/news/x-1?a=1") == \
        "https://n.example/news/x-1"
    assert canonical_link(b"<link href='https://n.example/y' rel='canonical'>", "https://n.example/z") == \
        "https://n.example/y"
    assert canonical_link(b"<p>none</p>", "https://n.example/z") is None
