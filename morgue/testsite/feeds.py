"""Machine-readable documents of the test site: robots.txt, sitemaps, RSS, a PDF.

Which story appears where is decided here, from ``Story.via``:
news-sitemap stories go in ``/news-sitemap.xml`` (and the posts sitemap, as
WordPress does), sitemap stories only in ``/sitemap-posts.xml.gz``, feed
stories only in ``/feed/`` (which also carries the newest sitemap stories).
"""

from __future__ import annotations

import gzip
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from morgue.testsite.articles import SECTIONS, SITE_NAME, STORIES, Story

NEWS_SITEMAP = "/news-sitemap.xml"
POSTS_SITEMAP = "/sitemap-posts.xml.gz"
SITEMAP_INDEX = "/sitemap_index.xml"
FEED = "/feed/"
#: number of sitemap stories the feed repeats beside its feed-only ones
FEED_ALSO_LISTS = 2


def news_sitemap_stories() -> list[Story]:
    return [s for s in STORIES if s.via == "news-sitemap"]


def posts_sitemap_stories() -> list[Story]:
    return [s for s in STORIES if s.via in ("news-sitemap", "sitemap")]


def feed_stories() -> list[Story]:
    newest = sorted(news_sitemap_stories(), key=lambda s: s.listed, reverse=True)
    stories = newest[:FEED_ALSO_LISTS] + [s for s in STORIES if s.via == "feed"]
    return sorted(stories, key=lambda s: s.listed, reverse=True)


def listed_in(story: Story) -> list[str]:
    """The discovery documents that list ``story``."""
    docs = []
    if story in news_sitemap_stories():
        docs.append(NEWS_SITEMAP)
    if story in posts_sitemap_stories():
        docs.append(POSTS_SITEMAP)
    if story in feed_stories():
        docs.append(FEED)
    return docs


def robots(base: str, *, disallow_all: bool = False, sitemaps: bool = True) -> str:
    if disallow_all:
        return "User-agent: *\nDisallow: /\n"
    lines = [
        "User-agent: *",
        "Disallow: /private/",
        "Disallow: /wp-admin/",
        "Allow: /wp-admin/admin-ajax.php",
        "",
    ]
    if sitemaps:
        lines += [f"Sitemap: {base}{SITEMAP_INDEX}", f"Sitemap: {base}{NEWS_SITEMAP}", ""]
    return "\n".join(lines)


def sitemap_index(base: str) -> str:
    news_mod = max(s.listed for s in news_sitemap_stories())
    posts_mod = max(s.listed for s in posts_sitemap_stories())
    entries = "".join(
        f"<sitemap><loc>{escape(base + path)}</loc><lastmod>{mod}</lastmod></sitemap>\n"
        for path, mod in ((NEWS_SITEMAP, news_mod), (POSTS_SITEMAP, posts_mod))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</sitemapindex>\n"
    )


def news_sitemap(base: str) -> str:
    """A Google News sitemap."""
    urls = "".join(
        f"<url>\n<loc>{escape(base + s.path)}</loc>\n<news:news>\n<news:publication>"
        f"<news:name>{SITE_NAME}</news:name><news:language>en</news:language>"
        "</news:publication>\n"
        f"<news:publication_date>{s.listed}</news:publication_date>\n"
        f"<news:title>{escape(s.title)}</news:title>\n"
        f"<news:keywords>{escape(', '.join(s.tags))}</news:keywords>\n"
        "</news:news>\n</url>\n"
        for s in news_sitemap_stories()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}</urlset>\n"
    )


def posts_sitemap(base: str) -> str:
    urls = "".join(
        f"<url><loc>{escape(base + s.path)}</loc><lastmod>{s.listed}</lastmod>"
        "<changefreq>monthly</changefreq><priority>0.6</priority></url>\n"
        for s in posts_sitemap_stories()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    )


def posts_sitemap_gz(base: str) -> bytes:
    """The posts sitemap as a .gz file (mtime fixed so the bytes are reproducible)."""
    return gzip.compress(posts_sitemap(base).encode(), mtime=0)


def rss(base: str) -> str:
    """RSS 2.0 as WordPress writes it (dc:creator, guid ``?p=ID``)."""
    stories = feed_stories()
    items = "".join(
        "<item>\n"
        f"<title>{escape(s.title)}</title>\n"
        f"<link>{escape(base + s.path)}</link>\n"
        f"<dc:creator><![CDATA[{s.author.name}]]></dc:creator>\n"
        f"<pubDate>{format_datetime(datetime.fromisoformat(s.listed))}</pubDate>\n"
        f"<category><![CDATA[{SECTIONS[s.section]}]]></category>\n"
        + "".join(f"<category><![CDATA[{t}]]></category>\n" for t in s.tags)
        + f'<guid isPermaLink="false">{escape(base)}/?p={s.post_id}</guid>\n'
        f"<description><![CDATA[{s.dek}]]></description>\n"
        "</item>\n"
        for s in stories
    )
    built = format_datetime(datetime.fromisoformat(stories[0].listed))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "<channel>\n"
        f"<title>{SITE_NAME}</title>\n"
        f'<atom:link href="{escape(base)}{FEED}" rel="self" type="application/rss+xml" />\n'
        f"<link>{escape(base)}/</link>\n"
        "<description>News from Eastbridge and the Alder valley</description>\n"
        f"<lastBuildDate>{built}</lastBuildDate>\n"
        "<language>en-GB</language>\n"
        "<generator>https://wordpress.org/?v=6.7</generator>\n"
        f"{items}</channel>\n</rss>\n"
    )


def pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    stream = b"BT /F1 18 Tf 72 720 Td (Eastbridge City Council annual report) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        + b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
