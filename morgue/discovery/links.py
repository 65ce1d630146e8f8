"""Which URLs are articles, sections or documents: rules over URLs and anchor text, and a byte scan.

Nothing here parses a page: links are read by the spider (Scrapy's LinkExtractor),
document links of pages whose other links are not wanted by a scan of the bytes.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

_DATE_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?/")
_LONG_ID = re.compile(r"\d{5,}")
_NON_ARTICLE_SEGMENTS = {
    "tag", "tags", "category", "categories", "topic", "topics", "author", "authors", "search",
    "page", "feed", "rss", "login", "register", "subscribe", "account", "about", "contact",
    "privacy", "terms", "cookies", "newsletter", "newsletters", "podcasts", "video", "videos",
    "gallery", "galleries", "events", "jobs", "shop", "advertise", "wp-login.php", "wp-admin",
    "cdn-cgi", "amp",
}
_BINARY_EXT = re.compile(
    r"\.(pdf|jpe?g|png|gif|webp|svg|ico|mp[34]|m4a|avi|mov|zip|gz|tgz|rar|7z|docx?|xlsx?|pptx?|"
    r"css|js|json|xml|txt|csv|woff2?|ttf|eot|exe|dmg|apk)$",
    re.IGNORECASE,
)


_DOCUMENTS = "pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|epub"  # file types worth archiving when linked
_DOCUMENT_EXT = re.compile(rf"\.({_DOCUMENTS})$", re.IGNORECASE)


def is_binary_url(url: str) -> bool:
    return bool(_BINARY_EXT.search(urlsplit(url).path))


def is_document_url(url: str) -> bool:
    """A document an article may link to as its source (a report, a ruling): worth archiving."""
    return bool(_DOCUMENT_EXT.search(urlsplit(url).path))


_DOCUMENT_HREF = re.compile(
    rb"""<a\s[^>]*?href\s*=\s*["']?\s*([^"'\s>]+?\.(?:""" + _DOCUMENTS.encode()
    + rb""")(?:[?#][^"'\s>]*)?)\s*["'\s>]""",
    re.IGNORECASE,
)
_BASE_HREF = re.compile(rb"""<base\s[^>]*?href\s*=\s*["']?\s*([^"'\s>]+)""", re.IGNORECASE)


def document_links(body: bytes, url: str) -> list[str]:
    """Absolute URLs of the documents an HTML page links to, read from its bytes.

    A scan instead of a parse: for pages whose other links are not wanted, it
    costs a fraction of a millisecond and no copy of the page as text or tree.
    """
    base = _BASE_HREF.search(body, 0, 16384)
    if base:
        url = urljoin(url, html.unescape(base.group(1).decode("utf-8", "replace")))
    found = (urljoin(url, html.unescape(m.group(1).decode("utf-8", "replace"))) for m in _DOCUMENT_HREF.finditer(body))
    return [link for link in dict.fromkeys(found) if link.startswith(("http://", "https://")) and is_document_url(link)]


def headline_like(anchor_text: str) -> bool:
    """Anchor text that reads like a headline: links to stories whose URLs say nothing."""
    words = anchor_text.split()
    return len(words) >= 5 and len(anchor_text) >= 25


def is_excluded(url: str) -> bool:
    """Binaries, the home page, and paths no article lives under (tags, authors, search, ...)."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return is_binary_url(url) or not segments or any(s.lower() in _NON_ARTICLE_SEGMENTS for s in segments)


def looks_like_article(url: str) -> bool:
    """Whether a URL has the shape of an article: a date, a long slug or a long id in its path."""
    if is_excluded(url):
        return False
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    last = re.sub(r"\.(s?html?|php|aspx?)$", "", segments[-1], flags=re.IGNORECASE)
    words = [w for w in re.split(r"[-_+]", last) if w]
    if _DATE_PATH.search(path + "/") and (len(words) >= 2 or _LONG_ID.search(last)):
        return True
    if len(words) >= 4 and len(last) >= 20:
        return True
    return bool(_LONG_ID.search(last)) and len(segments) >= 2


def looks_like_section(url: str, home: str) -> bool:
    """A short path just below the home page: a section (``/politics/``, ``/world/europe``)."""
    if is_binary_url(url) or looks_like_article(url):
        return False
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if not 1 <= len(segments) <= 2 or urlsplit(url).query:
        return False
    if any(s.lower() in _NON_ARTICLE_SEGMENTS for s in segments):
        return False
    return all(len(s) <= 30 and s.count("-") <= 2 for s in segments)


#: path segments that name a listing, followed by the listing's name (or ending the path)
_LISTING_SEGMENT = re.compile(
    r"/(?:tag|tags|category|categories|topic|topics|author|authors|search|section|sections)"
    r"(?:/[^/]+){0,2}/?$", re.IGNORECASE)
_PAGINATION_PATH = re.compile(r"/page/\d+/?$", re.IGNORECASE)
_PAGINATION_QUERY = re.compile(r"(?:^|&)(?:page|paged|pg)=\d+", re.IGNORECASE)
_DATE_ARCHIVE = re.compile(r"^(?:/[^/]+)?/(?:19|20)\d{2}/(?:(?:0?[1-9]|1[0-2])/)?(?:(?:0?[1-9]|[12]\d|3[01])/)?$")


def listing_url(url: str, home: str = "") -> bool:
    """A URL whose shape says it lists pages: the home page, a tag, category, author, search,
    date-archive or pagination page."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if _PAGINATION_PATH.search(path) or _PAGINATION_QUERY.search(parts.query):
        return True
    if path == "/" or (home and path.rstrip("/") == urlsplit(home).path.rstrip("/")):
        return not parts.query  # ``/?p=521`` is a post
    last = path.rstrip("/").rpartition("/")[2]
    if _LONG_ID.search(last) or "." in last:  # an article under /tag/ or /section/
        return False
    return bool(_LISTING_SEGMENT.search(path) or _DATE_ARCHIVE.match(path.rstrip("/") + "/"))


#: anchor text of a link to a listing's next page
_NEXT_TEXT = re.compile(r"^(?:next|older|more|load more|next page|older posts|older entries|older stories|"
                        r"earlier|previous entries|weiter|suivant|siguiente|»|›|>|→)\W*$", re.IGNORECASE)
#: path segments of a site's static pages: in its navigation, yet no listing
_STATIC_SEGMENTS = frozenset({
    "about", "about-us", "contact", "contact-us", "privacy", "privacy-policy", "terms", "cookies", "imprint",
    "impressum", "newsletter", "newsletters", "subscribe", "donate", "login", "register", "account", "advertise",
    "jobs", "careers", "shop", "help", "faq",
})


def pagination_number(url: str) -> int | None:
    """The page number a pagination URL names (``/page/3/``, ``?page=3``), None when it names none."""
    parts = urlsplit(url)
    m = _PAGINATION_PATH.search(parts.path) or _PAGINATION_QUERY.search(parts.query)
    return int(re.sub(r"\D", "", m.group(0))) if m else None


def is_next_link(anchor_text: str) -> bool:
    """Anchor text of a "next page" or "older posts" link."""
    return bool(_NEXT_TEXT.match(anchor_text.strip()))


def looks_like_listing(url: str, home: str, in_navigation: bool = False) -> bool:
    """A section, category, topic, tag, author or date-archive page: worth reading for article links.

    ``in_navigation``: the link sits in the page's ``<nav>`` or header, where a site
    links its sections whatever their URLs look like.
    """
    if is_binary_url(url) or looks_like_article(url):
        return False
    path = urlsplit(url).path
    if path.rstrip("/") == urlsplit(home).path.rstrip("/"):
        return False
    segments = [s.lower() for s in path.split("/") if s]
    if any(s in _STATIC_SEGMENTS for s in segments):
        return False
    if listing_url(url, home) or looks_like_section(url, home):
        return True
    return in_navigation and 1 <= len(segments) <= 3


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?(?=[/-])")


def url_date(url: str) -> tuple[int, int, int] | None:
    """(year, month, day) an article's URL is dated with; the day is 31 when the URL names only a month."""
    m = _URL_DATE.search(urlsplit(url).path + "/")
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 31)
