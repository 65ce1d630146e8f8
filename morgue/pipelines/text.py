"""Writes one clean-text record per article (``morgue.text.record``) into the crawl's spool.

Settings: ``MORGUE_TEXT_ENABLED``, ``MORGUE_TEXT_MAX_SIZE``, ``MORGUE_WARC_PREFIX``.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from morgue import meta
from morgue.config import flag, number
from morgue.extensions.upload import crawl_spool
from morgue.extraction import extractor_id
from morgue.items import Page
from morgue.text.record import text_record
from morgue.text.writer import RotatingTextWriter


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
            crawl_spool(crawler).create, prefix=s.get("MORGUE_WARC_PREFIX", "MORGUE"), max_size=max_size,
        )
        return cls(crawler, writer)

    def process_item(self, item):
        if not isinstance(item, Page) or item.article is None:
            return item
        record = text_record(item, self.extractor)
        self.writer.write(record)
        self.stats.inc_value(meta.TEXT_RECORDS)
        return record

    def close_spider(self) -> None:
        self.writer.finish()
        self.stats.set_value(meta.TEXT_FILES, self.writer.files_finished)
