import gzip

import pytest

from morgue.discovery.documents import xml_kind
from morgue.discovery.entry import DiscoveryError
from morgue.discovery.feeds import parse_feed, read_feed
from morgue.discovery.links import document_links, looks_like_article, looks_like_section
from morgue.discovery.pages import is_article
from morgue.discovery.sitemaps import parse_sitemap, read_sitemap
from morgue.discovery.urls import on_site, site_hosts

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example.org/2026/11/20/budget-vote/</loc>
    <news:news><news:publication><news:name>Gazette</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-11-20T08:00:00+01:00</news:publication_date>
      <news:title>Council votes on the budget</news:title><news:keywords>budget, council</news:keywords>
    </news:news></url>
  <url><loc>https://news.example.org/about/</loc><lastmod>2020-01-01</lastmod></url>
</urlset>"""


def test_news_sitemap_entries_keep_what_the_publisher_said():
    children, entries = parse_sitemap(NEWS_SITEMAP, "https://news.example.org/news.xml")
    assert children == []
    first, second = entries
    assert first.via == "news-sitemap"
    assert first.info["title"] == "Council votes on the budget"
    assert first.info["publication_date"] == "2026-11-20T08:00:00+01:00"
    assert first.info["keywords"] == "budget, council"
    assert first.info["language"] == "en"
    assert first.date().isoformat() == "2026-11-20T08:00:00+01:00"
    assert second.via == "sitemap" and second.info == {"lastmod": "2020-01-01"}


def test_sitemap_index_children_and_kind():
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<sitemap><loc>/posts.xml.gz</loc><lastmod>2026-01-02</lastmod></sitemap></sitemapindex>")
    children, entries = parse_sitemap(index, "https://a.example/sitemap.xml")
    assert [c.url for c in children] == ["https://a.example/posts.xml.gz"]
    assert entries == []
    assert xml_kind(index) == "sitemapindex"
    assert xml_kind(NEWS_SITEMAP) == "sitemap"
    assert xml_kind(b"<html><body>hi</body></html>") is None


def test_broken_sitemap_is_a_one_line_error():
    with pytest.raises(DiscoveryError, match=r"not valid XML|not <urlset>|empty"):
        parse_sitemap(b"\x00\x01 not xml at all", "https://a.example/sitemap.xml")
    with pytest.raises(DiscoveryError, match="not <urlset>"):
        parse_sitemap(b"<html><body>Oops</body></html>", "https://a.example/sitemap.xml")
    with pytest.raises(DiscoveryError):
        parse_sitemap(gzip.compress(b"<urlset/>"), "https://a.example/s.xml.gz")  # caller gunzips


def test_rss_and_atom_items():
    rss = b"""<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
      <item><title>Storm hits coast</title><link>https://n.example/2026/11/02/storm-hits-coast/</link>
      <pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><dc:creator>Ana Ruiz</dc:creator>
      <category>Weather</category><category>Coast</category><guid>n-123</guid></item>
      <item><title>No link</title></item></channel></rss>"""
    (item,) = parse_feed(rss, "https://n.example/feed/")
    assert item.url == "https://n.example/2026/11/02/storm-hits-coast/"
    assert item.info["author"] == "Ana Ruiz"
    assert item.info["categories"] == ["Weather", "Coast"]
    assert item.date().year == 2026
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title>
      <link rel="alternate" href="/a/b-c-d-e"/><published>2026-10-01T00:00:00Z</published>
      <updated>2026-10-02T00:00:00Z</updated><author><name>Kim</name></author><id>tag:x</id></entry></feed>"""
    (entry,) = parse_feed(atom, "https://n.example/atom.xml")
    assert entry.url == "https://n.example/a/b-c-d-e"
    assert entry.info["author"] == "Kim" and entry.info["updated"].startswith("2026-10-02")


@pytest.mark.parametrize("url, expected", [
    ("https://n.example/2026/11/20/city-council-approves-budget/", True),
    ("https://n.example/science/2026/11/18/telescope-finds-water-12345.html", True),
    ("https://n.example/world/europe/why-the-election-matters-for-farmers", True),
    ("https://n.example/news/article-9876543", True),
    ("https://n.example/", False),
    ("https://n.example/politics/", False),
    ("https://n.example/tag/climate-change-and-more-words/", False),
    ("https://n.example/files/annual-report-of-the-year.pdf", False),
    ("https://n.example/author/jane-doe-the-reporter/", False),
])
def test_article_urls(url, expected):
    assert looks_like_article(url) is expected


def test_sections():
    home = "https://n.example/"
    assert looks_like_section("https://n.example/politics/", home)
    assert looks_like_section("https://n.example/world/europe", home)
    assert not looks_like_section("https://n.example/tag/climate/", home)
    assert not looks_like_section("https://n.example/2026/11/20/a-long-article-slug-here/", home)


def test_page_says_what_it_is():
    art = b'<html><head><meta property="og:type" content="article"></head></html>'
    site = b'<html><head><meta property="og:type" content="website"></head></html>'
    ld = (b'<script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
          b' {"@type": ["NewsArticle"]}]}</script>')
    assert is_article(art, "https://n.example/x")
    assert not is_article(site, "https://n.example/2026/11/20/some-long-slug-here/")
    assert is_article(ld + site, "https://n.example/p")
    assert is_article(b"<html></html>", "https://n.example/2026/11/20/some-long-slug-here/")
    assert not is_article(art, "https://n.example/", home="https://n.example/")


def test_document_links_read_from_the_bytes():
    page = (b'<html><head><base href="https://news.example.org/politics/"></head><body>'
            b'<a class="src" href="/files/budget-2026.pdf">the budget</a> '
            b"<a href='ruling.DOCX?v=2&amp;lang=en'>the ruling</a> <a href=annex.pdf>annex</a> "
            b'<a href="/files/budget-2026.pdf">again</a> <a href="/2026/11/20/budget-vote/">story</a> '
            b'<a href="mailto:desk@news.example.org?subject=x.pdf">mail</a> <img src="chart.pdf"></body></html>')
    assert document_links(page, "https://news.example.org/2026/11/20/budget-vote/") == [
        "https://news.example.org/files/budget-2026.pdf",
        "https://news.example.org/politics/ruling.DOCX?v=2&lang=en",
        "https://news.example.org/politics/annex.pdf",
    ]
    assert document_links(b"<p>no links at all, only the word report.pdf</p>", "https://n.example/a") == []


@pytest.mark.parametrize("url, expected", [
    ("https://news.example.org/2026/11/20/story/", True),
    ("http://www.news.example.org:8080/sitemap.xml", True),
    ("HTTPS://news.example.org/feed/", True),
    ("ftp://news.example.org:2121/sitemap.xml", False),  # same host: only the scheme tells
    ("s3://news.example.org/sitemap.xml", False),
    ("file:///etc/passwd", False),
    ("mailto:desk@news.example.org", False),
    ("javascript:alert(1)", False),
    ("https://elsewhere.example/2026/11/20/story/", False),
    ("https://news.example.org:99999/", False),  # a port that cannot be
])
def test_only_http_urls_on_the_site_are_followed(url, expected):
    assert on_site(url, site_hosts(["https://news.example.org/"])) is expected


def test_sitemaps_and_feeds_are_read_as_a_stream():
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + b"".join(b"<url><loc>/a/%d</loc></url>" % n for n in range(1000)) + b"</urlset>")
    index, entries = read_sitemap(body, "https://a.example/s.xml")
    assert index is False and not isinstance(entries, list)
    first = next(entries)
    assert first.url == "https://a.example/a/0" and first.via == "sitemap"
    assert len(list(entries)) == 999
    # the root is checked before any entry is asked for
    with pytest.raises(DiscoveryError, match="not <urlset>"):
        read_sitemap(b"<html><body>" + b"<p>x</p>" * 1000 + b"</body></html>", "https://a.example/s.xml")
    with pytest.raises(DiscoveryError, match="not <rss> or <feed>"):
        read_feed(body, "https://a.example/feed/")
    # an index lists sitemaps; a <url> in it is not one of them
    mixed = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/page</loc></url>'
             b"<sitemap><loc>/child.xml</loc></sitemap></sitemapindex>")
    assert [c.url for c in parse_sitemap(mixed, "https://a.example/i.xml")[0]] == ["https://a.example/child.xml"]


def test_a_damaged_tail_is_reported_and_what_came_before_is_kept():
    problems: list[str] = []
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a</loc></url><url><loc>/b'
    _, entries = parse_sitemap(body, "https://a.example/s.xml", problems)
    assert entries[0].url == "https://a.example/a"
    assert len(problems) == 1 and "https://a.example/s.xml is malformed" in problems[0]
