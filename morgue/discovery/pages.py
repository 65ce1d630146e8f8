"""What kind of page a fetched page is (article, listing, other), from its own metadata, its URL and a few
scans of its bytes; its canonical URL and publication date, by a scan too."""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from morgue.discovery import jsonld
from morgue.discovery.dates import parse_date
from morgue.discovery.links import listing_url, looks_like_article

_OG_TYPE = re.compile(
    rb'<meta[^>]+(?:property|name)=["\']og:type["\'][^>]*content=["\']([^"\']+)["\']'
    rb'|<meta[^>]+content=["\']([^"\']+)["\'][^>]*(?:property|name)=["\']og:type["\']',
    re.IGNORECASE,
)


def page_kind(body: bytes, url: str, types: set[str] | None = None) -> str:
    """``article`` or ``index`` from the page's own metadata, ``unknown`` when it says nothing.

    ``types``: the page's JSON-LD types, when the caller has read them already.
    """
    if types is None:
        types = jsonld.page_types(body)
    if types & jsonld.ARTICLE_TYPES:
        return "article"
    m = _OG_TYPE.search(body[:500_000])
    og = (m.group(1) or m.group(2)).decode("ascii", "replace").lower() if m else ""
    if og == "article" or og.startswith("article"):
        return "article"
    if og in ("website", "blog", "profile") or types & {"collectionpage", "webpage", "website", "itemlist"}:
        return "index"
    return "unknown"


def is_article(body: bytes, url: str, home: str = "") -> bool:
    """An article page: says so itself, or says nothing and has an article's URL."""
    if home and urlsplit(url).path.rstrip("/") == urlsplit(home).path.rstrip("/"):
        return False
    kind = page_kind(body, url)
    if kind == "unknown":
        return looks_like_article(url)
    return kind == "article"


#: schema.org types (lower case) of a page that lists other pages
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "profilepage"})
_ARTICLE_ELEMENT = re.compile(rb"<article[\s>]", re.IGNORECASE)
#: teaser elements (``<article>``) from which a page is a list of stories, not one
LISTING_TEASERS = 4
#: headings that are links (``<h3><a href>``), and characters of paragraph text, of a listing
LISTING_HEADLINES, LISTING_PROSE = 3, 1000
#: bytes of a page scanned for teasers, headlines and paragraphs
SCAN_BYTES = 2_000_000
_HEADLINE_LINK = re.compile(rb"<h[1-6][^>]*>\s*<a\s", re.IGNORECASE)
_PARAGRAPH = re.compile(rb"<p[\s>](.*?)</p>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"<[^>]*>")
_PAGINATION = re.compile(rb"""class=["'][^"']*\b(?:pagination|page-numbers|pager|nav-links)\b""", re.IGNORECASE)


def _prose(body: bytes) -> int:
    """Characters of text in the page's paragraphs of 150 characters or more (teasers' deks are shorter)."""
    total = 0
    for m in _PARAGRAPH.finditer(body, 0, SCAN_BYTES):
        n = len(_TAG.sub(b"", m.group(1)).strip())
        if n >= 150:
            total += n
            if total >= LISTING_PROSE:
                break
    return total


def classify(body: bytes, url: str, home: str = "") -> str:
    """``article``, ``listing`` or ``other``: what kind of page a fetched HTML page is.

    Cheap, a few regular expressions over the bytes and no parse (about 0.3 ms a
    page), as it runs for every page the crawl fetches. A listing has a listing's
    URL (home, tag, category, pagination, date archive) or says so (CollectionPage,
    ItemList); a page that says it is an article is one; a page whose URL has an
    article's shape is an article when it says nothing, ``other`` otherwise; the
    rest is a listing when it reads like one (teasers or linked headings, pagination,
    little prose) and ``other`` when not.
    """
    if listing_url(url, home):
        return "listing"
    types = jsonld.page_types(body)
    said = page_kind(body, url, types)
    if types & LISTING_TYPES and not types & jsonld.ARTICLE_TYPES:
        return "listing"
    if said == "article":  # even with rows of related teasers, as news sites' pages have
        return "article"
    if looks_like_article(url):  # its URL says article: only the page's own word makes it a listing
        return "article" if said == "unknown" else "other"
    if _looks_like_listing(body, len(_ARTICLE_ELEMENT.findall(body, 0, SCAN_BYTES))):
        return "listing"
    return "other"


def _looks_like_listing(body: bytes, teasers: int) -> bool:
    """Many stories, each a heading that links on, and little to read: a section or tag page."""
    headlines = len(_HEADLINE_LINK.findall(body, 0, SCAN_BYTES))
    if teasers + headlines == 0:
        return False
    prose = _prose(body)
    if teasers >= LISTING_TEASERS and prose < LISTING_PROSE:
        return True
    if headlines >= 2 * LISTING_HEADLINES and prose < LISTING_PROSE // 2:
        return True
    return bool(_PAGINATION.search(body, 0, SCAN_BYTES)) and prose < LISTING_PROSE // 2


def wants_text(kind: str, via: str) -> bool:
    """Whether a page gets a text record: a listed page (sitemap, feed, seed) unless it is a
    listing; a page found by a link only when it is an article."""
    if kind == "listing":
        return False
    return kind == "article" or via != "link"


_CANONICAL = re.compile(
    rb'<link\s[^>]*?rel=["\']?canonical["\']?[^>]*?href=["\']([^"\']+)["\']'
    rb'|<link\s[^>]*?href=["\']([^"\']+)["\'][^>]*?rel=["\']?canonical\b',
    re.IGNORECASE,
)
_PUBLISHED = re.compile(
    rb'<meta[^>]+(?:property|name|itemprop)=["\'](?:article:published_time|datePublished|pubdate)["\']'
    rb'[^>]*content=["\']([^"\']+)["\']'
    rb'|"datePublished"\s*:\s*"([^"]+)"',
    re.IGNORECASE,
)
_HEAD_BYTES = 500_000


def canonical_link(body: bytes, url: str) -> str | None:
    """The absolute URL a page's ``<link rel="canonical">`` names, if any (a scan, not a parse)."""
    m = _CANONICAL.search(body, 0, _HEAD_BYTES)
    if not m:
        return None
    href = html.unescape((m.group(1) or m.group(2)).decode("utf-8", "replace")).strip()
    return urljoin(url, href) if href else None


def published_date(body: bytes) -> datetime | None:
    """The publication date a page states (``article:published_time``, JSON-LD ``datePublished``)."""
    m = _PUBLISHED.search(body, 0, _HEAD_BYTES)
    if not m:
        return None
    return parse_date((m.group(1) or m.group(2)).decode("ascii", "replace"))
