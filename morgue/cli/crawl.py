"""``morgue crawl``: crawl news sites into the store.

``scrapy crawl`` in this project is morgue's own command
(``morgue/commands/crawl.py``) and runs through the same two steps, so both
check settings the same way before anything is fetched, print the same
summary and end with the same exit code: ``prepare`` (settings and store)
and ``run_crawl`` (the crawl, Ctrl-C, the summary, the exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from morgue import meta
from morgue.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NO_ARTICLES,
    EXIT_OK,
    EXIT_PENDING,
    fail,
    open_checked_store,
    settings_from_args,
    unexpected,
    wants_debug,
)


def check(settings) -> None:
    """Settings checked before anything starts: a wrong value exits 2 naming it; a misspelt name is warned of."""
    from scrapy.settings import SETTINGS_PRIORITIES

    from morgue.config import check_settings

    try:
        warnings = check_settings(settings)
    except ValueError as e:
        raise SystemExit(fail(str(e))) from None
    for warning in warnings:
        print(f"morgue: warning: {warning}", file=sys.stderr)
    if (sys.stderr.isatty() and settings.getpriority("LOG_LEVEL") <= SETTINGS_PRIORITIES["project"]
            and str(settings.get("MORGUE_PROGRESS")).lower() != "off"):
        # On a terminal the progress line speaks; the log keeps to warnings unless asked.
        settings.set("LOG_LEVEL", "WARNING", priority="project")


def prepare(settings) -> None:
    """``check``, then the store: it must be usable before anything is fetched."""
    check(settings)
    open_checked_store(settings)


def run_crawl(process: Any, spider: Any, spider_args: dict, settings) -> int:
    """Run one spider in ``process`` (Scrapy's signal handlers off: see ``interrupt``) and return the exit code."""
    from scrapy.utils.reactor import is_reactor_installed

    from morgue.cli.interrupt import Interruption
    from morgue.extensions.report import summary_lines

    try:
        crawler = process.create_crawler(spider)
    except KeyError as e:  # no spider of that name
        return fail(str(e.args[0]) if e.args else str(e))
    failures: list[BaseException] = []
    started = process.crawl(crawler, **spider_args)
    if hasattr(started, "add_done_callback"):  # an asyncio Task (AsyncCrawlerProcess)
        loop = started.get_loop()
        started.add_done_callback(
            lambda t: failures.append(t.exception()) if not t.cancelled() and t.exception() else None)
    else:  # a Deferred (CrawlerProcess)
        loop = None
        started.addErrback(lambda f: failures.append(f.value))

    def call_soon(fn) -> None:
        if is_reactor_installed():
            from twisted.internet import reactor

            reactor.callFromThread(fn)
        else:
            loop.call_soon_threadsafe(fn)

    with Interruption(process, call_soon) as interruption:
        process.start(install_signal_handlers=False)

    if failures:  # the crawl could not start: a bad setting or argument, or a bug
        error = failures[0]
        if isinstance(error, ValueError):
            return fail(str(error).strip().splitlines()[0] if str(error).strip() else repr(error))
        return unexpected(error, wants_debug(settings))
    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # the crawl never started
        stats = {}
    if interruption.signal and stats:
        stats.setdefault(meta.INTERRUPTED, interruption.signal)
    for line in summary_lines(stats):
        print(f"morgue: {line}", file=sys.stderr)
    for warning in stats.get(meta.WARNINGS) or []:
        print(f"morgue: warning: {warning}", file=sys.stderr)
    pending = stats.get(meta.FILES_PENDING)
    if interruption.signal:
        if pending:
            print(f"morgue: {pending} files wait in the spool: run `morgue flush` to upload them", file=sys.stderr)
        print(f"morgue: interrupted: what was fetched is archived in {settings.get('MORGUE_STORE')} "
              f"({stats.get(meta.TEXT_RECORDS, 0)} articles)", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not stats:
        return fail("the crawl did not run; see the log above", EXIT_NO_ARTICLES)
    if not stats.get(meta.OK, False):
        return fail(f"no article archived: {stats.get(meta.REASON) or 'see the log above'}",
                     EXIT_NO_ARTICLES)
    if pending:
        return fail(f"{pending} files could not be uploaded to "
                     f"{settings.get('MORGUE_STORE')}; run `morgue flush` to upload them", EXIT_PENDING)
    return EXIT_OK


def crawl(urls: Sequence[str], settings, spider_args: dict | None = None) -> int:
    """Run the news spider over ``urls`` and turn its outcome into an exit code."""
    from scrapy.crawler import AsyncCrawlerProcess

    from morgue.discovery.dates import parse_date
    from morgue.discovery.urls import BadURL, check_url
    from morgue.spiders.news import NewsSpider

    try:
        seeds = [check_url(u) for u in urls]
    except BadURL as e:
        return fail(str(e))
    if settings.get("MORGUE_SINCE") and parse_date(str(settings.get("MORGUE_SINCE"))) is None:
        return fail(f"invalid date {settings.get('MORGUE_SINCE')!r} for --since: use YYYY-MM-DD")
    if settings.get("MORGUE_MAX_PAGES") not in (None, ""):
        try:
            if int(settings.get("MORGUE_MAX_PAGES")) < 1:
                raise ValueError
        except ValueError:
            return fail(f"invalid --max-pages {settings.get('MORGUE_MAX_PAGES')!r}: a positive number")
    prepare(settings)
    process = AsyncCrawlerProcess(settings)
    return run_crawl(process, NewsSpider, {"site": ",".join(seeds), **(spider_args or {})}, settings)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.max_pages is not None:
        settings.set("MORGUE_MAX_PAGES", args.max_pages, priority="cmdline")
    if args.since:
        settings.set("MORGUE_SINCE", args.since, priority="cmdline")
    return crawl(args.url, settings)

