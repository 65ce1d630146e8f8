"""What kind of page a fetched page is, from its own metadata and its URL."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from morgue.discovery import jsonld
from morgue.discovery.links import looks_like_article

_OG_TYPE = re.compile(
    rb'<meta[^>]+(?:property|name)=["\']og:type["\'][^>]*content=["\']([^"\']+)["\']'
    rb'|<meta[^>]+content=["\']([^"\']+)["\'][^>]*(?:property|name)=["\']og:type["\']',
    re.IGNORECASE,
)


def page_kind(body: bytes, url: str) -> str:
    """``article`` or ``index`` from the page's own metadata, ``unknown`` when it says nothing."""
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
