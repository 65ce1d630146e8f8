"""RSS 2.0, RSS 1.0 and Atom feeds, and the feeds a page announces."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from morgue.discovery.documents import absolute, children, local_name, stream, text
from morgue.discovery.entry import DiscoveryError, Entry

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
#: where sites put feeds when they announce none
USUAL_FEED_PATHS = ("/feed/", "/rss.xml", "/feed.xml", "/atom.xml", "/rss/")
_ENTRIES = frozenset({"item", "entry"})


def read_feed(body: bytes, url: str, problems: list[str] | None = None) -> Iterator[Entry]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed, one by one (the root is checked first)."""
    kind, elements = stream(body, "feed", url, problems, _ENTRIES)
    if kind.lower() not in ("rss", "feed", "rdf"):
        raise DiscoveryError(f"feed {url} has root <{kind}>, not <rss> or <feed>")
    return _items(elements, url)


def _items(elements, url: str) -> Iterator[Entry]:
    for item in elements:
        info: dict = {}
        link = ""
        categories: list[str] = []
        for c in item:
            cname = local_name(c.tag)
            if cname == "link":
                rel = c.get("rel", "alternate")
                href = c.get("href") or text(c)
                if href and rel == "alternate" and not link:
                    link = href
            elif cname == "title":
                info["title"] = text(c)
            elif cname in ("pubDate", "published", "date", "issued"):
                info.setdefault("published", text(c))
            elif cname in ("updated", "modified"):
                info["updated"] = text(c)
            elif cname in ("creator", "author"):
                info.setdefault("author", text(children(c).get("name")) or text(c))
            elif cname in ("category", "subject"):
                term = c.get("term") or text(c)
                if term:
                    categories.append(term)
            elif cname in ("guid", "id"):
                info["guid"] = text(c)
        if not link and info.get("guid", "").startswith("http"):
            link = info["guid"]
        if not link:
            continue
        if categories:
            info["categories"] = categories
        yield Entry(absolute(url, link), "feed", {k: v for k, v in info.items() if v})


def parse_feed(body: bytes, url: str, problems: list[str] | None = None) -> list[Entry]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed, as a list (for small documents)."""
    return list(read_feed(body, url, problems))


def feed_links(html_head_links: list[tuple[str, str, str]], base_url: str) -> list[str]:
    """Feed URLs from ``(rel, type, href)`` triples of a page's ``<link>`` elements."""
    out = []
    for rel, type_, href in html_head_links:
        if "alternate" in (rel or "").lower().split() and (type_ or "").lower().strip() in _FEED_TYPES and href:
            out.append(urljoin(base_url, href.strip()))
    return out
