"""Page metadata: the page's structured data first (JSON-LD, Open Graph, meta), then
trafilatura's heuristics (which call htmldate for the date).

Structured data is what the publisher states; heuristics guess. Each field is normalised
so records from different sites compare: ISO 8601 dates, 2-letter language codes, titles
without the " | Site" suffix, authors without "By ".
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pycld2
from lxml import etree
from trafilatura.metadata import extract_metadata

from morgue.discovery import jsonld
from morgue.discovery.dates import parse_date
from morgue.extraction.phrases import BYLINE_LEAD

FIELDS = ("title", "author", "published", "language", "sitename", "description", "canonical_url", "image")
_DATE_ONLY = re.compile(r"^\d{4}-\d\d-\d\d$")
_SPACED_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d")
_LEADING_DATE = re.compile(r"^(\d{4}-\d\d-\d\d)")
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "publishdate", "pubdate",
    "sailthru.date", "dc.date.issued", "dcterms.created", "parsely-pub-date",
)  # fmt: skip
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|•|::|/|»)\s+")
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")
_ISO3_TO_2 = {"eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it", "por": "pt"}
# Withdrawn ISO 639-1 codes that pages (and CLD2) still use; "xx" and "un" are CLD2's "not a language".
_RENAMED = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "xx": None, "un": None}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # CLD2 rejects these as invalid UTF-8


def empty_metadata() -> dict:
    record: dict = dict.fromkeys(FIELDS)
    record["tags"] = []
    record["categories"] = []
    return record


def page_metadata(tree: etree._Element, url: str) -> dict:
    """All metadata fields of the page; missing ones are None (or empty lists)."""
    meta = extract_metadata(tree, url or None, None, False)
    metas = _meta_tags(tree)
    ld = _json_ld_articles(tree)
    sitename = meta.sitename or None
    canonical = meta.url or url or None
    record = empty_metadata()
    record.update(
        title=clean_title(meta.title, sitename, canonical),
        author=clean_author(meta.author, sitename),
        published=_published(ld, metas, tree) or normalise_date(meta.date),
        language=declared_language(tree, metas),
        sitename=sitename,
        description=meta.description or None,
        canonical_url=canonical,
        image=meta.image or None,
        tags=_split_terms(meta.tags),
        categories=_split_terms(meta.categories),
    )
    return record


def _split_terms(values: list[str] | None) -> list[str]:
    """Keywords often arrive as one comma-separated string: one term per entry, no repeats."""
    terms: dict[str, None] = {}
    for value in values or []:
        for raw in value.split(","):
            term = " ".join(raw.split())
            if term:
                terms.setdefault(term)
    return list(terms)


def _meta_tags(tree: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iterfind(".//head//meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").lower()
        value = (el.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _json_ld_articles(tree: etree._Element) -> list[dict]:
    """JSON-LD objects of an article type, in document order (Article before WebPage)."""
    found: list[dict] = []
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        data = jsonld.loads(script.text or "")
        found.extend(obj for obj in jsonld.objects(data) if jsonld.types(obj) & jsonld.ARTICLE_TYPES)
    return found


def _published(ld: list[dict], metas: dict[str, str], tree: etree._Element) -> str | None:
    for obj in ld:
        date = normalise_date(obj.get("datePublished") if isinstance(obj.get("datePublished"), str) else None)
        if date:
            return date
    for key in _DATE_META:
        date = normalise_date(metas.get(key))
        if date:
            return date
    for el in tree.iterfind('.//time[@itemprop="datePublished"]'):
        date = normalise_date(el.get("datetime"))
        if date:
            return date
    return None


def normalise_date(value: str | None) -> str | None:
    """ISO 8601 date or datetime (UTC when the source names no zone), else None."""
    if not value:
        return None
    value = value.strip()
    if _DATE_ONLY.match(value):
        return value
    parsed = parse_date(value.replace(" ", "T", 1) if _SPACED_DATETIME.match(value) else value)
    if parsed is not None:
        return parsed.isoformat()
    match = _LEADING_DATE.match(value)
    return match.group(1) if match else None


def clean_title(title: str | None, sitename: str | None, url: str | None) -> str | None:
    """Drop a trailing (or leading) segment naming the site: "Story | Site" -> "Story"."""
    if not title:
        return None
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site_keys = _site_keys(sitename, url)
    if site_keys and _key(parts[-1]) in site_keys:
        return _join_rest(title, parts[-1], end=True)
    if site_keys and _key(parts[0]) in site_keys:
        return _join_rest(title, parts[0], end=False)
    return title


def _join_rest(title: str, part: str, end: bool) -> str:
    if end:
        head = title[: title.rfind(part)]
        return _TITLE_SEPARATORS.split(head + "\0")[0].rstrip() if head.strip() else title
    rest = title[len(part) :]
    match = _TITLE_SEPARATORS.match(rest)
    return rest[match.end() :] if match else title


def _site_keys(sitename: str | None, url: str | None) -> set[str]:
    keys = set()
    if sitename:
        keys.add(_key(sitename))
    host = urlsplit(url).hostname if url else None
    if host:
        host = host.removeprefix("www.")
        keys.add(_key(host))
        keys.add(_key(host.rsplit(".", 1)[0]))
    keys.discard("")
    return keys


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def clean_author(author: str | None, sitename: str | None) -> str | None:
    """Author names without "By " and never the site's own name."""
    if not author:
        return None
    author = BYLINE_LEAD.sub("", " ".join(author.split())).strip(" ,;|-")
    if not author or (sitename and _key(author) == _key(sitename)):
        return None
    return author


def normalise_language(value: str | None) -> str | None:
    """'en-US', 'en_GB', 'EN' -> 'en'; None when not a language code."""
    if not value:
        return None
    match = _LANG.match(value.strip().split(",")[0].strip())
    if not match:
        return None
    code = match.group(1).lower()
    code = _ISO3_TO_2.get(code, code)
    code = _RENAMED.get(code, code)
    return code if code and len(code) == 2 else None


def declared_language(tree: etree._Element, metas: dict[str, str]) -> str | None:
    """The language the page declares: <html lang>, og:locale, Content-Language."""
    for value in (tree.get("lang"), tree.get("xml:lang"), metas.get("og:locale"),
                  metas.get("content-language"), metas.get("language"), metas.get("dc.language")):  # fmt: skip
        code = normalise_language(value)
        if code:
            return code
    return None


def detect_language(text: str) -> str | None:
    """Language of the article text when the page declares none (2-letter code).

    CLD2, as Common Crawl uses for its language annotations: its tables are compiled
    into the library, so every worker holds about 7 MB for it instead of the 75 MB a
    Python n-gram model takes, and it reads 3,000 characters in about 0.1 ms.
    """
    if len(text) < 20:
        return None
    sample = _CONTROL.sub(" ", text[:3000]).encode("utf-8", "ignore")  # "ignore": lone surrogates
    try:
        _reliable, _size, found = pycld2.detect(sample, bestEffort=True)
    except pycld2.error:
        return None
    return normalise_language(found[0][1])
