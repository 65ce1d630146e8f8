"""Extension that says how the crawl went: a summary always, and why it failed if it did.

Its verdict goes into the stats (``morgue/ok``, ``morgue/reason``) for the
CLI's exit code and for run reports.

Settings: ``MORGUE_REPORT_ENABLED``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from morgue import meta
from morgue.config import flag
from morgue.extensions.diagnosis import diagnose

logger = logging.getLogger(__name__)


def summary_lines(stats: dict) -> list[str]:
    statuses = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                if k.startswith("downloader/response_status_count/")}
    classes: dict[str, int] = {}
    for code, n in statuses.items():
        classes[f"{code[0]}xx"] = classes.get(f"{code[0]}xx", 0) + n
    by_class = ", ".join(f"{k}: {v}" for k, v in sorted(classes.items())) or "none"
    elapsed = stats.get("elapsed_time_seconds", 0)
    pending = stats.get(meta.FILES_PENDING, 0)
    lines = [
        f"pages fetched: {sum(statuses.values())} ({by_class})",
        (f"articles archived: {stats.get(meta.TEXT_RECORDS, 0)}"
         f" (no article text: {stats.get(meta.EXTRACT_EMPTY, 0)})"),
        (f"WARC: {stats.get(meta.WARC_FILES, 0)} files, {stats.get(meta.WARC_RECORDS, 0)} records,"
         f" {stats.get(meta.WARC_BYTES, 0):,} bytes"),
        f"text records: {stats.get(meta.TEXT_RECORDS, 0)} in {stats.get(meta.TEXT_FILES, 0)} files",
        *incremental_lines(stats),
        *([f"older than --since: {stats[meta.SKIPPED_BEFORE_SINCE]} (not fetched, or archived without text)"]
          if stats.get(meta.SKIPPED_BEFORE_SINCE) else []),
        (f"uploaded: {stats.get(meta.FILES_UPLOADED, 0)} files"
         + (f"; {pending} files wait in the spool" if pending else "")),
        f"time: {elapsed:.1f} s",
    ]
    if stats.get(meta.INTERRUPTED):
        lines.append(f"interrupted by {stats[meta.INTERRUPTED]}: the crawl stopped before it was done")
    return lines


def incremental_lines(stats: dict) -> list[str]:
    """What an incremental crawl did with the articles already archived (nothing on a first crawl)."""
    revisits = stats.get(meta.REVISITS_NOT_MODIFIED, 0) + stats.get(meta.REVISITS_IDENTICAL, 0)
    known = stats.get(meta.STATE_LOADED, 0)
    if not known and not revisits and not stats.get(meta.ARTICLES_REVISED):
        return []
    return [
        (f"articles: {stats.get(meta.ARTICLES_NEW, 0)} new, {stats.get(meta.ARTICLES_REVISED, 0)} revised, "
         f"{stats.get(meta.ARTICLES_UNCHANGED, 0) + revisits} unchanged, "
         f"{stats.get(meta.INCREMENTAL_SKIPPED, 0)} not fetched (of {known} already archived)"),
        (f"revisits: {revisits} ({stats.get(meta.REVISITS_NOT_MODIFIED, 0)} not modified, "
         f"{stats.get(meta.REVISITS_IDENTICAL, 0)} identical payload)"),
    ]


def found_nothing_new(stats: dict) -> bool:
    """A crawl that found every known article unchanged, or every article older than ``--since``,
    did its work: it is no failure (a cron job on a quiet day)."""
    return bool(stats.get(meta.INCREMENTAL_SKIPPED) or stats.get(meta.REVISITS_NOT_MODIFIED)
                or stats.get(meta.REVISITS_IDENTICAL) or stats.get(meta.ARTICLES_UNCHANGED)
                or stats.get(meta.SKIPPED_BEFORE_SINCE))


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
        if not verdict.ok and found_nothing_new(stats.get_stats()) and not stats.get_value(meta.INTERRUPTED):
            verdict.ok, verdict.reason = True, ""
        for warning in verdict.warnings:
            logger.warning("%s", warning)
        if not verdict.ok and not stats.get_value(meta.INTERRUPTED):
            logger.error("No article archived: %s", verdict.reason)
        stats.set_value(meta.OK, verdict.ok)
        stats.set_value(meta.REASON, verdict.reason)
        stats.set_value(meta.WARNINGS, verdict.warnings)
