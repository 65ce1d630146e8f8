"""Sitemaps and sitemap indexes, Google News sitemaps included."""

from __future__ import annotations

from urllib.parse import urljoin

from morgue.discovery.documents import children, local_name, text, xml_root
from morgue.discovery.entry import DiscoveryError, Entry

#: where sites put sitemaps when robots.txt names none
USUAL_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")


def parse_sitemap(body: bytes, url: str, problems: list[str] | None = None) -> tuple[list[Entry], list[Entry]]:
    """(child sitemaps, URL entries) of a sitemap or sitemap index."""
    root = xml_root(body, "sitemap", url, problems)
    kind = local_name(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"sitemap {url} has root <{kind}>, not <urlset> or <sitemapindex>")
    sitemaps, entries = [], []
    for el in root:
        fields = children(el)
        loc = urljoin(url, text(fields.get("loc")))
        if not text(fields.get("loc")):
            continue
        info = {}
        if text(fields.get("lastmod")):
            info["lastmod"] = text(fields.get("lastmod"))
        if kind == "sitemapindex":
            sitemaps.append(Entry(loc, "sitemap", info))
            continue
        news = fields.get("news")
        via = "sitemap"
        if news is not None:
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
        entries.append(Entry(loc, via, info))
    return sitemaps, entries
