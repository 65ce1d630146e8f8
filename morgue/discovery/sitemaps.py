"""Sitemaps and sitemap indexes, Google News sitemaps included, read as a stream."""

from __future__ import annotations

from collections.abc import Iterator

from morgue.discovery.documents import absolute, children, local_name, stream, text
from morgue.discovery.entry import DiscoveryError, Entry

#: where sites put sitemaps when robots.txt names none
USUAL_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
_ENTRIES = frozenset({"url", "sitemap"})


def read_sitemap(body: bytes, url: str, problems: list[str] | None = None) -> tuple[bool, Iterator[Entry]]:
    """(whether it is a sitemap index, its entries one by one).

    An index's entries are its child sitemaps; a sitemap's are the pages it
    lists (``via`` ``news-sitemap`` or ``sitemap``). The root is checked before
    this returns; the entries are read as they are asked for, so a caller that
    queues each one as it comes never holds them all.
    """
    kind, elements = stream(body, "sitemap", url, problems, _ENTRIES)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"sitemap {url} has root <{kind}>, not <urlset> or <sitemapindex>")
    return kind == "sitemapindex", _entries(elements, url, kind == "sitemapindex")


def _entries(elements, url: str, index: bool) -> Iterator[Entry]:
    for el in elements:
        if (local_name(el.tag) == "sitemap") != index:
            continue  # a <url> in an index, or a <sitemap> in a urlset
        fields = children(el)
        loc = text(fields.get("loc"))
        if not loc:
            continue
        info = {}
        if text(fields.get("lastmod")):
            info["lastmod"] = text(fields.get("lastmod"))
        news = fields.get("news")
        via = "sitemap"
        if news is not None and not index:
            via = "news-sitemap"
            n = children(news)
            for name in ("publication_date", "title", "keywords"):
                if text(n.get(name)):
                    info[name] = text(n.get(name))
            pub = n.get("publication")
            if pub is not None:
                p = children(pub)
                if text(p.get("language")):
                    info["language"] = text(p.get("language"))
                if text(p.get("name")):
                    info["publication"] = text(p.get("name"))
        yield Entry(absolute(url, loc), via, info)


def parse_sitemap(body: bytes, url: str, problems: list[str] | None = None) -> tuple[list[Entry], list[Entry]]:
    """(child sitemaps, URL entries) of a sitemap or sitemap index, as lists (for small documents)."""
    index, entries = read_sitemap(body, url, problems)
    found = list(entries)
    return (found, []) if index else ([], found)
