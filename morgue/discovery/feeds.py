"""RSS 2.0, RSS 1.0 and Atom feeds, and the feeds a page announces."""

from __future__ import annotations

from urllib.parse import urljoin

from morgue.discovery.documents import children, local_name, text, xml_root
from morgue.discovery.entry import DiscoveryError, Entry

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
#: where sites put feeds when they announce none
USUAL_FEED_PATHS = ("/feed/", "/rss.xml", "/feed.xml", "/atom.xml", "/rss/")

def parse_feed(body: bytes, url: str, problems: list[str] | None = None) -> list[Entry]:
    """Items of an RSS 2.0, RSS 1.0 or Atom feed."""
    root = xml_root(body, "feed", url, problems)
    kind = local_name(root.tag).lower()
    if kind not in ("rss", "feed", "rdf"):
        raise DiscoveryError(f"feed {url} has root <{kind}>, not <rss> or <feed>")
    entries = []
    for item in root.iter():
        name = local_name(item.tag)
        if name not in ("item", "entry"):
            continue
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
        entries.append(Entry(urljoin(url, link), "feed", {k: v for k, v in info.items() if v}))
    return entries


def feed_links(html_head_links: list[tuple[str, str, str]], base_url: str) -> list[str]:
    """Feed URLs from ``(rel, type, href)`` triples of a page's ``<link>`` elements."""
    out = []
    for rel, type_, href in html_head_links:
        if "alternate" in (rel or "").lower().split() and (type_ or "").lower().strip() in _FEED_TYPES and href:
            out.append(urljoin(base_url, href.strip()))
    return out
