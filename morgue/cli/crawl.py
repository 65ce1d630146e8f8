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
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from morgue import meta
from morgue.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_NO_ARTICLES,
    EXIT_NO_SPACE,
    EXIT_OK,
    EXIT_PENDING,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    fail,
    open_checked_store,
    settings_from_args,
    unexpected,
    wants_debug,
)
from morgue.config import flag, number


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
    quiet(settings)


def quiet(settings) -> None:
    """``MORGUE_QUIET``: under cron, standard error carries the summary and warnings only.

    ``on`` (or ``auto`` without a terminal): Scrapy's INFO lines (settings, middleware lists,
    the stats dump) go to ``LOG_FILE`` when one is given (Scrapy then logs nowhere else) and
    are dropped otherwise; warnings and errors still reach standard error.
    """
    from scrapy.settings import SETTINGS_PRIORITIES

    mode = str(settings.get("MORGUE_QUIET", "auto")).strip().lower()
    if mode not in ("auto", "on", "off", "true", "false", "1", "0"):
        raise SystemExit(fail(f"invalid setting MORGUE_QUIET={settings.get('MORGUE_QUIET')!r}: "
                              "expected auto, on or off"))
    if mode in ("off", "false", "0") or (mode == "auto" and sys.stderr.isatty()):
        return
    if settings.get("LOG_FILE") or settings.getpriority("LOG_LEVEL") > SETTINGS_PRIORITIES["project"]:
        return  # the log goes to a file of its own, or its level was asked for
    settings.set("LOG_LEVEL", "WARNING", priority="project")


def prepare(settings) -> None:
    """``check``, then the store: it must be usable before anything is fetched."""
    check(settings)
    open_checked_store(settings)


def run_crawl(process: Any, spider: Any, spider_args: dict, settings) -> int:
    """Run one spider in ``process`` (Scrapy's signal handlers off: see ``interrupt``) and return the exit code."""
    return run_crawls(process, [Job(spider, spider_args, settings)], settings)


@dataclass
class Job:
    """One site's crawl: the spider, its arguments, its own settings (a site of sites.toml has its own)."""

    spider: Any
    args: dict
    settings: Any
    name: str = ""
    crawler: Any = None
    failure: BaseException | None = None


def run_crawls(process: Any, jobs: list[Job], settings) -> int:
    """Run every job's crawler at once in ``process`` and return the run's exit code.

    The crawlers run side by side in one reactor, each with its own settings:
    a cron window is shared fairly, a slow site does not hold up the others,
    and a per-site rate limit or header is simply that crawler's setting.
    """
    from scrapy.crawler import Crawler

    from morgue.cli.interrupt import Interruption, loop_caller

    started_at = datetime.now(timezone.utc)
    loop = None
    for job in jobs:
        try:
            if job.settings is settings:
                job.crawler = process.create_crawler(job.spider)
            else:  # the site's own settings, the process's as defaults under them
                spidercls = process.spider_loader.load(job.spider) if isinstance(job.spider, str) else job.spider
                job.crawler = process.create_crawler(Crawler(spidercls, job.settings))
        except KeyError as e:  # no spider of that name
            return fail(str(e.args[0]) if e.args else str(e))
        started = process.crawl(job.crawler, **job.args)
        if hasattr(started, "add_done_callback"):  # an asyncio Task (AsyncCrawlerProcess)
            loop = started.get_loop()

            def done(t, job=job) -> None:
                if not t.cancelled() and t.exception():
                    job.failure = t.exception()

            started.add_done_callback(done)
        else:  # a Deferred (CrawlerProcess)
            started.addErrback(lambda f, job=job: setattr(job, "failure", f.value))

    with Interruption(process, loop_caller(loop)) as interruption:
        process.start(install_signal_handlers=False)

    outcomes = [_outcome(job, interruption.signal, settings, several=len(jobs) > 1) for job in jobs]
    code = combine([o["exit_code"] for o in outcomes], interrupted=bool(interruption.signal))
    _write_report(settings, outcomes, started_at, code)
    for outcome in outcomes:
        if outcome.get("last"):
            print(outcome.pop("last"), file=sys.stderr)
    if len(jobs) > 1:
        failed = [o["site"] for o in outcomes if o["exit_code"] not in (EXIT_OK, EXIT_PENDING)]
        print(f"morgue: {len(jobs) - len(failed)} of {len(jobs)} sites crawled"
              + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return code


def combine(codes: list[int], interrupted: bool = False) -> int:
    """The run's exit code from its sites' codes."""
    if interrupted or EXIT_INTERRUPTED in codes:
        return EXIT_INTERRUPTED
    if EXIT_NO_SPACE in codes:
        return EXIT_NO_SPACE
    if len(codes) == 1:
        return codes[0]
    worked = [c for c in codes if c in (EXIT_OK, EXIT_PENDING)]
    if not worked:
        return EXIT_LOCKED if all(c == EXIT_LOCKED for c in codes) else EXIT_NO_ARTICLES
    if len(worked) < len(codes):
        return EXIT_SOME_FAILED
    return EXIT_PENDING if EXIT_PENDING in codes else EXIT_OK


def _outcome(job: Job, signal: str | None, settings, several: bool) -> dict:
    """Say how one site's crawl went (summary lines, warnings, its error) and give its exit code."""
    from morgue.extensions.report import summary_lines
    from morgue.store.lock import LockHeld

    site = job.name or str(job.args.get("site", "")).split(",")[0] or str(job.spider)
    prefix = f"morgue: {site}: " if several else "morgue: "
    outcome: dict = {"site": site, "stats": {}}

    def say(code: int, message: str, error: bool = True) -> dict:
        # said last, after the run report is written: the last line says how the run ended
        outcome["last"] = f"{prefix}{'error: ' if error else ''}{message}"
        outcome.update(exit_code=code, reason=message)
        return outcome

    if job.failure is not None:  # the crawl could not start: the lock, a bad setting or argument, or a bug
        error = job.failure
        if isinstance(error, LockHeld):
            return say(EXIT_LOCKED, str(error))
        if isinstance(error, ValueError):
            return say(EXIT_USAGE, str(error).strip().splitlines()[0] if str(error).strip() else repr(error))
        outcome.update(exit_code=unexpected(error, wants_debug(settings)), reason=repr(error))
        return outcome
    try:
        stats = job.crawler.stats.get_stats()
    except (RuntimeError, AttributeError):  # the crawl never started
        stats = {}
    outcome["stats"] = stats
    if signal and stats:
        stats.setdefault(meta.INTERRUPTED, signal)
    for line in summary_lines(stats):
        print(f"{prefix}{line}", file=sys.stderr)
    for warning in stats.get(meta.WARNINGS) or []:
        print(f"{prefix}warning: {warning}", file=sys.stderr)
    pending = stats.get(meta.FILES_PENDING)
    store = job.settings.get("MORGUE_STORE")
    if signal:
        if pending:
            print(f"{prefix}{pending} files wait in the spool: run `morgue flush` to upload them", file=sys.stderr)
        return say(EXIT_INTERRUPTED, f"interrupted: what was fetched is archived in {store} "
                                     f"({stats.get(meta.TEXT_RECORDS, 0)} articles)", error=False)
    if not stats:
        return say(EXIT_NO_ARTICLES, "the crawl did not run; see the log above")
    if stats.get(meta.OUT_OF_DISK):
        return say(EXIT_NO_SPACE, f"out of disk space: {stats[meta.OUT_OF_DISK]}; fetching stopped, what was "
                                  f"fetched is archived ({stats.get(meta.TEXT_RECORDS, 0)} articles)")
    if not stats.get(meta.OK, False):
        return say(EXIT_NO_ARTICLES, f"no article archived: {stats.get(meta.REASON) or 'see the log above'}")
    if pending:
        return say(EXIT_PENDING, f"{pending} files could not be uploaded to {store}; "
                                 "run `morgue flush` to upload them")
    outcome.update(exit_code=EXIT_OK, reason="")
    return outcome


def _write_report(settings, outcomes: list[dict], started_at: datetime, code: int) -> None:
    """The run's JSON report into the store (``reports/YYYY/MM/DD/<run>.json``); a failure is a warning."""
    from morgue.extensions.runreport import build_report, write_report

    if not flag(settings, "MORGUE_REPORTS_ENABLED", True):
        return
    report = build_report(outcomes, started_at, datetime.now(timezone.utc), code)
    try:
        write_report(settings, report)
    except Exception as e:  # noqa: BLE001 - the crawl's outcome stands; the report is its echo
        print(f"morgue: warning: cannot write the run report: {e}", file=sys.stderr)


def crawl(urls: Sequence[str], settings, spider_args: dict | None = None, sites_file: str | None = None) -> int:
    """Run the news spider over ``urls`` (one site), or over each site of ``sites_file``; return the exit code."""
    from scrapy.crawler import AsyncCrawlerProcess

    from morgue.cli.sites import read_sites
    from morgue.discovery.dates import parse_date
    from morgue.discovery.urls import BadURL, check_url
    from morgue.spiders.news import NewsSpider

    sites = []
    if sites_file:
        try:
            sites = read_sites(sites_file)
        except ValueError as e:
            return fail(str(e))
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
    if not sites:
        return run_crawl(process, NewsSpider, {"site": ",".join(seeds), **(spider_args or {})}, settings)
    jobs = []
    for site in sites:
        own = settings.copy()
        for name, value in site.settings.items():
            own.set(name, value, priority="cmdline")
        try:
            check(own)
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else EXIT_USAGE
        jobs.append(Job(NewsSpider, {"site": ",".join(site.seeds), **(spider_args or {})}, own, name=site.url))
    return run_crawls(process, jobs, settings)


def add_crawl_arguments(p: argparse.ArgumentParser) -> None:
    """The scheduled-crawl flags of ``morgue crawl`` (``url`` becomes optional: ``--sites`` may name them)."""
    from morgue.cli.common import EXIT_CODES

    p.add_argument("--sites", metavar="FILE", help="crawl every site of a sites.toml (see the README)")
    p.add_argument("--full", action="store_true",
                   help="fetch every article again, even those archived and unchanged (default: incremental)")
    p.add_argument("--log-file", metavar="FILE", help="Scrapy's log to FILE instead of standard error")
    p.add_argument("--distributed", action="store_true",
                   help="share the frontier with other crawler processes through MORGUE_REDIS_URL "
                        "(see the README's Scale-out section)")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = "exit codes:\n" + "\n".join(f"  {code}  {text}" for code, text in sorted(EXIT_CODES.items()))


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if args.max_pages is not None:
        settings.set("MORGUE_MAX_PAGES", args.max_pages, priority="cmdline")
    if args.since:
        settings.set("MORGUE_SINCE", args.since, priority="cmdline")
    if getattr(args, "full", False):
        settings.set("MORGUE_FULL", True, priority="cmdline")
    if getattr(args, "log_file", None):
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    sites_file = getattr(args, "sites", None)
    urls = getattr(args, "url", None) or []
    if not urls and not sites_file:
        return fail("give a site URL, or --sites FILE")
    if urls and sites_file:
        return fail("give site URLs or --sites FILE, not both")
    if getattr(args, "distributed", False):
        return distributed(urls, settings, sites_file)
    return crawl(urls, settings, sites_file=sites_file)


def distributed(urls: Sequence[str], settings, sites_file: str | None, forever: bool = False) -> int:
    """``--distributed`` (and ``morgue worker``): the sites go to the frontier in Redis, shared by every worker."""
    from morgue.cli.sites import read_sites
    from morgue.discovery.urls import BadURL, check_url
    from morgue.distributed import redis_url
    from morgue.distributed.runner import run as run_distributed

    if not redis_url(settings):
        return fail("--distributed needs a Redis server: set MORGUE_REDIS_URL=redis://HOST:6379/0")
    try:
        for name, default, minimum in (("MORGUE_IDLE_EXIT", 30.0, 0), ("MORGUE_WORKER_TIMEOUT", 60.0, 1),
                                       ("MORGUE_SITE_DELAY", 0.0, 0)):
            number(settings, name, default, float, minimum=minimum)
    except ValueError as e:
        return fail(str(e))
    try:
        sites = [([check_url(u) for u in urls], {})] if urls else []
        if sites_file:
            sites = [(site.seeds, site.settings) for site in read_sites(sites_file)]
    except (BadURL, ValueError) as e:
        return fail(str(e))
    return run_distributed(settings, sites, forever)

