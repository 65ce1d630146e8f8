"""``morgue``: a thin front over Scrapy for the things users do from a shell.

Flags become Scrapy settings at command-line priority; ``-s NAME=VALUE``
sets any other. Exit codes: 0 the run did what was asked; 1 the crawl
archived no article (the last line says why); 2 bad input (arguments,
settings, store) and nothing was fetched; 3 archive files could not be
uploaded and wait in the spool (``morgue flush`` uploads them).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from morgue import __version__

EXIT_OK, EXIT_NO_ARTICLES, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3


def _settings(args: argparse.Namespace):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("morgue.settings", priority="project")
    for pair in args.set or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(_fail(f"invalid -s {pair!r}: use -s NAME=VALUE"))
        settings.set(name.strip(), value, priority="cmdline")
    if getattr(args, "store", None):
        settings.set("MORGUE_STORE", args.store, priority="cmdline")
    if getattr(args, "spool", None):
        settings.set("MORGUE_SPOOL", args.spool, priority="cmdline")
    if getattr(args, "loglevel", None):
        settings.set("LOG_LEVEL", args.loglevel.upper(), priority="cmdline")
    return settings


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"morgue: error: {message}", file=sys.stderr)
    return code


def _open_checked_store(settings):
    from morgue.store import StoreError, store_from_settings

    try:
        store = store_from_settings(settings)
        store.check()
    except (StoreError, ValueError) as e:
        raise SystemExit(_fail(str(e))) from None
    return store


def crawl(urls: Sequence[str], settings, spider_args: dict | None = None) -> int:
    """Run the news spider over ``urls`` and turn its outcome into an exit code."""
    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import SETTINGS_PRIORITIES

    from morgue.discovery import parse_date
    from morgue.extensions.report import summary_lines
    from morgue.spiders.news import NewsSpider
    from morgue.urls import BadURL, check_url

    try:
        seeds = [check_url(u) for u in urls]
    except BadURL as e:
        return _fail(str(e))
    for name in ("MORGUE_SINCE",):
        if settings.get(name) and parse_date(str(settings.get(name))) is None:
            return _fail(f"invalid date {settings.get(name)!r} for --since: use YYYY-MM-DD")
    if settings.get("MORGUE_MAX_PAGES") not in (None, ""):
        try:
            if int(settings.get("MORGUE_MAX_PAGES")) < 1:
                raise ValueError
        except ValueError:
            return _fail(f"invalid --max-pages {settings.get('MORGUE_MAX_PAGES')!r}: a positive number")
    if (sys.stderr.isatty() and settings.getpriority("LOG_LEVEL") <= SETTINGS_PRIORITIES["project"]
            and str(settings.get("MORGUE_PROGRESS")).lower() != "off"):
        # On a terminal the progress line speaks; the log keeps to warnings unless asked.
        settings.set("LOG_LEVEL", "WARNING", priority="project")
    _open_checked_store(settings)

    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    failures: list[BaseException] = []

    def crawl_done(task) -> None:
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())

    process.crawl(crawler, site=",".join(seeds), **(spider_args or {})).add_done_callback(crawl_done)
    process.start()
    if failures:  # the crawl could not start: a bad setting or argument
        return _fail(str(failures[0]).splitlines()[0] if str(failures[0]) else repr(failures[0]))

    try:
        stats = crawler.stats.get_stats()
    except RuntimeError:  # the crawl never started
        stats = {}
    for line in summary_lines(stats):
        print(f"morgue: {line}", file=sys.stderr)
    for warning in stats.get("morgue/warnings") or []:
        print(f"morgue: warning: {warning}", file=sys.stderr)
    if not stats:
        return _fail("the crawl did not run; see the log above", 1)
    if not stats.get("morgue/ok", False):
        return _fail(f"no article archived: {stats.get('morgue/reason') or 'see the log above'}",
                     EXIT_NO_ARTICLES)
    if stats.get("store/files_pending"):
        return _fail(f"{stats['store/files_pending']} files could not be uploaded to "
                     f"{settings.get('MORGUE_STORE')}; run `morgue flush` to upload them", EXIT_PENDING)
    return EXIT_OK


def cmd_crawl(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.max_pages is not None:
        settings.set("MORGUE_MAX_PAGES", args.max_pages, priority="cmdline")
    if args.since:
        settings.set("MORGUE_SINCE", args.since, priority="cmdline")
    return crawl(args.url, settings)


def cmd_demo(args: argparse.Namespace) -> int:
    from morgue.testsite import NewsSite

    settings = _settings(args)
    # The demo site is on loopback: no need to be slow with it.
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="project")
    settings.set("DOWNLOAD_DELAY", 0, priority="project")
    with NewsSite() as site:
        print(f"morgue: demo news site serving at {site.url}", file=sys.stderr)
        code = crawl([site.url], settings)
    print(f"morgue: archive written to {settings.get('MORGUE_STORE')}", file=sys.stderr)
    return code


def cmd_extract(args: argparse.Namespace) -> int:
    from morgue.extraction import extract_files

    return extract_files(args.files, args.url, sys.stdout)


def cmd_flush(args: argparse.Namespace) -> int:
    from morgue.spool import spool_from_settings
    from morgue.store import StoreError
    from morgue.upload import upload_one

    settings = _settings(args)
    store = _open_checked_store(settings)
    spool = spool_from_settings(settings)
    recovered = spool.recover()
    if recovered:
        print(f"morgue: repaired {len(recovered)} files left by a crashed run", file=sys.stderr)
    failed = 0
    for path in spool.ready():
        try:
            key = upload_one(store, path)
        except (StoreError, OSError) as e:
            failed += 1
            print(f"morgue: error: cannot upload {path.name}: {e}", file=sys.stderr)
            continue
        if key:
            print(f"morgue: uploaded {key}", file=sys.stderr)
    if failed:
        return _fail(f"{failed} files still wait in {spool.root}", EXIT_PENDING)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="morgue", description="Crawl news sites into WARC archives and clean-text records.",
    )
    parser.add_argument("--version", action="version", version=f"morgue {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
        p.add_argument("--spool", help="local folder for files waiting for upload (default: the store's)")
        p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="any Scrapy or MORGUE_* setting")
        p.add_argument("-L", "--loglevel", help="log level (default INFO; WARNING on a terminal)")

    p = sub.add_parser("crawl", help="crawl news sites (a root URL, a sitemap or a feed)")
    p.add_argument("url", nargs="+", help="site root, sitemap or feed URL")
    p.add_argument("--max-pages", type=int, metavar="N", help="archive at most N article pages")
    p.add_argument("--since", metavar="DATE", help="skip sitemap and feed entries older than DATE")
    common(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("demo", help="start a small news site on loopback and crawl it")
    common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("extract", help="print the article record of saved HTML files as JSON lines")
    p.add_argument("files", nargs="+", metavar="FILE", help="HTML file, or - for standard input")
    p.add_argument("--url", help="the page's URL (default: its canonical link)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("flush", help="upload files left in the spool by earlier runs")
    common(p)
    p.set_defaults(func=cmd_flush)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.captureWarnings(True)
    try:
        return args.func(args)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
