"""Writes one clean-text record per article (``morgue.text.record``) into the crawl's spool.

With a crawl state (``morgue.extensions.state``), an article whose text is the
one last archived gets no new record (stat ``text/articles_unchanged``); one
whose text changed (a correction, an update) gets a record with ``version``
(2, 3, ...) and ``supersedes`` (the ``warc_record_id`` of the record it
replaces), and the old record stays. Texts compare as the corpus compares
them (``morgue.corpus.rows.text_hash``: normalised, so a changed quote mark is
no revision).

Settings: ``MORGUE_TEXT_ENABLED``, ``MORGUE_TEXT_MAX_SIZE``, ``MORGUE_WARC_PREFIX``.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem, NotConfigured

from morgue import meta
from morgue.config import flag, number
from morgue.corpus.rows import text_hash
from morgue.extensions.state import crawl_state
from morgue.extensions.upload import crawl_spool
from morgue.extraction import extractor_id
from morgue.items import Page
from morgue.store.names import key_for
from morgue.store.state import canonical
from morgue.text.record import text_record
from morgue.text.writer import RotatingTextWriter


class TextPipeline:
    def __init__(self, crawler, writer: RotatingTextWriter):
        self.crawler = crawler
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
        extension = crawl_state(self.crawler)
        state = extension.state if extension is not None else None
        key = canonical(item.requested_url or item.url)
        known = state.get(key) if state is not None else None
        digest = text_hash(record.get("text") or "")
        version = 1
        if known is not None and known.text_hash:
            if known.text_hash == digest:
                self.stats.inc_value(meta.ARTICLES_UNCHANGED)
                raise DropItem(f"Text unchanged since its last record: {item.url}", log_level="DEBUG")
            version = max(known.version, 1) + 1
            record["version"] = version
            record["supersedes"] = known.text_id
            self.stats.inc_value(meta.ARTICLES_REVISED)
        else:
            self.stats.inc_value(meta.ARTICLES_NEW)
        location = self.writer.write(record)
        self.stats.inc_value(meta.TEXT_RECORDS)
        if state is not None:
            state.update(key, text_hash=digest, text_id=record.get("warc_record_id"), version=version,
                         published=record.get("published"))
        # where the record went (not part of it: it is written already), so that a save can read it back
        return {**record, "text_key": key_for(location.filename), "text_offset": location.offset,
                "text_length": location.length}

    def close_spider(self) -> None:
        self.writer.finish()
        self.stats.set_value(meta.TEXT_FILES, self.writer.files_finished)
