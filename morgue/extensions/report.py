"""Extension that says how the crawl went: a summary always, and why it failed if it did.

Its verdict goes into the stats (``morgue/ok``, ``morgue/reason``) for the
CLI's exit code and for run reports.

Settings: ``MORGUE_REPORT_ENABLED``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from morgue.config import flag
from morgue.diagnosis import diagnose

logger = logging.getLogger(__name__)


def summary_lines(stats: dict) -> list[str]:
    statuses = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                if k.startswith("downloader/response_status_count/")}
    classes: dict[str, int] = {}
    for code, n in statuses.items():
        classes[f"{code[0]}xx"] = classes.get(f"{code[0]}xx", 0) + n
    by_class = ", ".join(f"{k}: {v}" for k, v in sorted(classes.items())) or "none"
    elapsed = stats.get("elapsed_time_seconds", 0)
    pending = stats.get("store/files_pending", 0)
    lines = [
        f"pages fetched: {sum(statuses.values())} ({by_class})",
        (f"articles archived: {stats.get('text/records_written', 0)}"
         f" (no article text: {stats.get('extract/empty', 0)})"),
        (f"WARC: {stats.get('warc/files_written', 0)} files, {stats.get('warc/records_written', 0)} records,"
         f" {stats.get('warc/bytes_written', 0):,} bytes"),
        f"text records: {stats.get('text/records_written', 0)} in {stats.get('text/files_written', 0)} files",
        (f"uploaded: {stats.get('store/files_uploaded', 0)} files"
         + (f"; {pending} files wait in the spool" if pending else "")),
        f"time: {elapsed:.1f} s",
    ]
    return lines


class ReportExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not flag(crawler.settings, "MORGUE_REPORT_ENABLED", True):
            raise NotConfigured("MORGUE_REPORT_ENABLED is off")
        return cls(crawler)

    def spider_closed(self, spider, reason) -> None:
        stats = self.crawler.stats
        site = ", ".join(getattr(spider, "seeds", [])) or spider.name
        ua = self.crawler.settings.get("USER_AGENT", "morgue")
        verdict = diagnose(stats.get_stats(), site, ua)
        for warning in verdict.warnings:
            logger.warning("%s", warning)
        if not verdict.ok:
            logger.error("No article archived: %s", verdict.reason)
        stats.set_value("morgue/ok", verdict.ok)
        stats.set_value("morgue/reason", verdict.reason)
        stats.set_value("morgue/warnings", verdict.warnings)
