"""The clean-text record of an article: its fields, filled from the page, its discovery and its capture.

A record names the WARC file (and its store key), the record's ID, offset
and length, and the payload digest, so a researcher can read the exact
capture back with one ranged read; and it names the extractor that made it,
so later re-extraction can tell generations apart. A revision (the text of an
article archived before, changed) also has ``version`` (2, 3, ...) and
``supersedes`` (the ``warc_record_id`` of the record it replaces): the text
pipeline adds them from the crawl state.
"""

from __future__ import annotations

import re

from morgue.discovery.dates import parse_date
from morgue.items import Page
from morgue.store.names import key_for

ARTICLE_FIELDS = ("canonical_url", "title", "author", "published", "sitename", "language",
                  "description", "tags", "categories", "text", "word_count")


def text_record(page: Page, extractor: str) -> dict:
    """The text record of an extracted page; feed or sitemap values fill what the page lacks."""
    article = page.article or {}
    record = {"url": page.url, "requested_url": page.requested_url}
    record.update({name: article.get(name) for name in ARTICLE_FIELDS})
    entry = page.discovery.get("entry", {})
    record["published_source"] = "page" if record["published"] else None
    if not record["published"]:
        for key in ("publication_date", "published", "lastmod"):
            date = parse_date(entry.get(key, ""))
            if date:
                record["published"] = date.isoformat()
                record["published_source"] = "feed" if page.discovery.get("via") == "feed" else "sitemap"
                break
    if not record["title"] and entry.get("title"):
        record["title"] = entry["title"]
    record["discovered_via"] = page.discovery.get("via", "seed")
    record["discovered_from"] = page.discovery.get("from")
    warc = page.warc
    record["fetched_at"] = warc.get("fetched_at")
    for name in ("warc_filename", "warc_record_id", "warc_offset", "warc_length", "payload_digest"):
        record[name] = warc.get(name)
    record["warc_key"] = key_for(warc["warc_filename"]) if warc.get("warc_filename") else None
    record["extractor"] = extractor
    record["page_kind"] = getattr(page, "kind", None) or "article"
    return clean(record)



#: control characters (tab and newline kept) and lone surrogates: never in a record
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def clean(value):
    """``value`` with every string in it freed of control characters and lone surrogates (U+FFFD)."""
    if isinstance(value, str):
        return _UNSAFE.sub(lambda m: "" if m.group() < "\ud800" else "\ufffd", value)
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value
