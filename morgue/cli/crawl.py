"""``morgue crawl``: crawl news sites into the store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from morgue import meta
from morgue.cli.common import EXIT_NO_ARTICLES, EXIT_OK, EXIT_PENDING, fail, open_checked_store, settings_from_args


def crawl(urls: Sequence[str], settings, spider_args: dict | None = None) -> int:
    """Run the news spider over ``urls`` and turn its outcome into an exit code."""
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import SETTINGS_PRIORITIES

    from morgue.discovery.dates import parse_date
    from morgue.discovery.urls import BadURL, check_url
    from morgue.extensions.report import summary_lines
    from morgue.spiders.news import NewsSpider

    try:
        seeds = [check_url(u) for u in urls]
    except BadURL as e:
        return fail(str(e))
    for name in ("MORGUE_SINCE",):
        if settings.get(name) and parse_date(str(settings.get(name))) is None:
            return fail(f"invalid date {settings.get(name)!r} for --since: use YYYY-MM-DD")
    if settings.get("MORGUE_MAX_PAGES") not in (None, ""):
        try:
            if int(settings.get("MORGUE_MAX_PAGES")) < 1:
                raise ValueError
        except ValueError:
            return fail(f"invalid --max-pages {settings.get('MORGUE_MAX_PAGES')!r}: a positive number")
    if (sys.stderr.isatty() and settings.getpriority("LOG_LEVEL") <= SETTINGS_PRIORITIES["project"]
            and str(settings.get("MORGUE_PROGRESS")).lower() != "off"):
        # On a terminal the progress line speaks; the log keeps to warnings unless asked.
        settings.set("LOG_LEVEL", "WARNING", priority="project")
    open_checked_store(settings)

    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    failures: list[BaseException] = []

    def crawl_done(task) -> None:
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())

    process.crawl(crawler, site=",".join(seeds), **(spider_args or {})).add_done_callback(crawl_done)
    process.start()
    if failures:  # the crawl could not start: a bad setting or argument
        return fail(str(failures[0]).splitlines()[0] if str(failures[0]) else repr(failures[0]))

    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # the crawl never started
        stats = {}
    for line in summary_lines(stats):
        print(f"morgue: {line}", file=sys.stderr)
    for warning in stats.get(meta.WARNINGS) or []:
        print(f"morgue: warning: {warning}", file=sys.stderr)
    if not stats:
        return fail("the crawl did not run; see the log above", 1)
    if not stats.get(meta.OK, False):
        return fail(f"no article archived: {stats.get(meta.REASON) or 'see the log above'}",
                     EXIT_NO_ARTICLES)
    if stats.get(meta.FILES_PENDING):
        return fail(f"{stats[meta.FILES_PENDING]} files could not be uploaded to "
                     f"{settings.get('MORGUE_STORE')}; run `morgue flush` to upload them", EXIT_PENDING)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.max_pages is not None:
        settings.set("MORGUE_MAX_PAGES", args.max_pages, priority="cmdline")
    if args.since:
        settings.set("MORGUE_SINCE", args.since, priority="cmdline")
    return crawl(args.url, settings)
