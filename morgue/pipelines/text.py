"""Writes one clean-text record per article, linked to its WARC response record.

A record names the WARC file (and its store key), the record's ID, offset
and length, and the payload digest, so a researcher can read the exact
capture back with one ranged read; and it names the extractor that made it,
so later re-extraction can tell generations apart.

Settings: ``MORGUE_TEXT_ENABLED``, ``MORGUE_TEXT_MAX_SIZE``, ``MORGUE_WARC_PREFIX``,
``MORGUE_SPOOL`` / ``MORGUE_STORE``.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from morgue.config import flag, number
from morgue.discovery import parse_date
from morgue.extraction import extractor_id
from morgue.items import Page
from morgue.spool import key_for, spool_from_settings
from morgue.textwriter import RotatingTextWriter

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
    return record


class TextPipeline:
    def __init__(self, crawler, writer: RotatingTextWriter):
        self.stats = crawler.stats
        self.writer = writer
        self.extractor = extractor_id()

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not flag(s, "MORGUE_TEXT_ENABLED", True):
            raise NotConfigured("MORGUE_TEXT_ENABLED is off")
        max_size = number(s, "MORGUE_TEXT_MAX_SIZE", 100_000_000, minimum=1)
        writer = RotatingTextWriter(
            spool_from_settings(s), prefix=s.get("MORGUE_WARC_PREFIX", "MORGUE"), max_size=max_size,
        )
        return cls(crawler, writer)

    def process_item(self, item):
        if not isinstance(item, Page) or item.article is None:
            return item
        record = text_record(item, self.extractor)
        self.writer.write(record)
        self.stats.inc_value("text/records_written")
        return record

    def close_spider(self) -> None:
        self.writer.finish()
        self.stats.set_value("text/files_written", self.writer.files_finished)
