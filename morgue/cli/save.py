"""``morgue save``: archive given URLs now, as a crawl archives its articles, into the same store.

Each URL is fetched once (robots.txt obeyed unless ``--ignore-robots``),
every redirect hop archived to WARC, the clean text extracted and written
as a text record. For each URL it prints the final URL, the HTTP status,
the WARC file and record, the title and the first words of the text; with
``--json`` one JSON object per URL on standard output. Exit code 0 when
every URL given was saved and reads back from the store, 1 when any failed
(each named with its reason), 2 for bad input, 3 when files wait in the
spool. These are the user's own fetches: loopback and private addresses
are allowed, as for ``morgue crawl`` (the service's address rules are not
applied here).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from morgue import meta
from morgue.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_PENDING, fail, settings_from_args

EXIT_FAILED = 1
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> float:
    """Seconds in ``90``, ``90s``, ``30m``, ``1h``, ``2d``; ValueError otherwise."""
    m = _DURATION.match(value or "")
    if not m:
        raise ValueError(f"invalid duration {value!r}: use e.g. 90s, 30m, 1h or 2d")
    return float(m.group(1)) * _UNITS[m.group(2).lower()]


def add_parser(sub) -> None:
    p = sub.add_parser("save", help="archive URLs now: WARC and clean text, into the store",
                       description=__doc__.split("\n\n")[0].replace("``", ""))
    p.add_argument("url", nargs="+", help="a page, or with --outlinks a page, feed or sitemap")
    p.add_argument("--json", action="store_true", help="one JSON object per URL on standard output")
    p.add_argument("--outlinks", action="store_true",
                   help="also archive the article links of each page (one hop), or a feed's or sitemap's entries")
    p.add_argument("--if-not-archived-within", metavar="DURATION",
                   help="give the capture saved within DURATION (90s, 30m, 1h, 2d) instead of fetching again")
    p.add_argument("--ignore-robots", action="store_true", help="fetch even what robots.txt disallows")
    p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
    p.add_argument("--spool", help="local folder for files waiting for upload (default: the store's)")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="any Scrapy or MORGUE_* setting")
    p.add_argument("-L", "--loglevel", help="log level (default WARNING)")
    p.set_defaults(func="save")


def run_save(urls: list[str], settings, outlinks: bool = False) -> tuple[list[dict[str, Any]], dict, str | None]:
    """Run the save spider over ``urls`` in a new ``AsyncCrawlerProcess``: (results, stats, interrupting signal)."""
    from scrapy.crawler import AsyncCrawlerProcess

    from morgue.cli.interrupt import Interruption, loop_caller
    from morgue.spiders.save import SaveSpider

    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(SaveSpider)
    failures: list[BaseException] = []
    started = process.crawl(crawler, urls=urls, outlinks=outlinks)
    loop = started.get_loop()
    started.add_done_callback(
        lambda t: failures.append(t.exception()) if not t.cancelled() and t.exception() else None)

    with Interruption(process, loop_caller(loop)) as interruption:
        process.start(install_signal_handlers=False)
    if failures:
        raise failures[0]
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return crawler.spider.results, stats, interruption.signal


def describe(result: dict[str, Any]) -> list[str]:
    """The lines printed for one result."""
    from morgue.service.saves import text_start

    head = result["url"]
    if result.get("from"):
        head = f"  {head} (linked from {result['from']})"
    lines = [head]
    if result.get("final_url"):
        lines.append(f"  final URL: {result['final_url']}")
    if result.get("status") is not None:
        lines.append(f"  status: {result['status']}" + ("  (saved earlier, not fetched again)"
                                                        if result.get("recent") else ""))
    if result.get("warc_filename"):
        lines.append(f"  WARC: {result['warc_filename']} record {result['warc_record_id']}"
                     f" at offset {result['warc_offset']}")
    if result.get("error"):
        lines.append(f"  FAILED: {result['error']}")
    if result.get("title"):
        lines.append(f"  title: {result['title']}")
    if result.get("text"):
        lines.append(f"  text: {text_start(result['text'], 30)}")
    return lines


def save(urls: list[str], settings, *, as_json: bool = False, outlinks: bool = False,
         within: float | None = None) -> int:
    from morgue.cli.crawl import prepare
    from morgue.discovery.urls import BadURL, check_url
    from morgue.service.captures import CaptureIndex, index_path
    from morgue.service.saves import from_index, public, settle
    from morgue.store.spool import spool_from_settings

    try:
        urls = [check_url(u) for u in urls]
    except BadURL as e:
        return fail(str(e))
    prepare(settings)
    from morgue.store import store_from_settings

    store = store_from_settings(settings)
    index = CaptureIndex(index_path(spool_from_settings(settings, store).root))
    recent: dict[int, dict[str, Any]] = {}
    if within is not None:
        for n, url in enumerate(urls):
            row = index.recent(url, within)
            if row is not None:
                recent[n] = from_index(row)
    to_fetch = [u for n, u in enumerate(urls) if n not in recent]
    fetched: list[dict[str, Any]] = []
    stats: dict = {}
    signal = None
    if to_fetch:
        fetched, stats, signal = run_save(to_fetch, settings, outlinks=outlinks)
        settle(fetched, store, index)
    given = iter(fetched[:len(to_fetch)])
    results = [recent[n] if n in recent else next(given) for n in range(len(urls))] + fetched[len(to_fetch):]
    for result in results:
        if as_json:
            print(json.dumps(public(result), ensure_ascii=False), flush=True)
        else:
            print("\n".join(describe(result)), flush=True)
    failed = [r for r in results[:len(urls)] if r.get("error")]
    for result in failed:
        print(f"morgue: error: {result['url']}: {result['error']}", file=sys.stderr)
    if signal:
        return fail("interrupted: what was fetched is archived", EXIT_INTERRUPTED)
    if stats.get(meta.FILES_PENDING):
        return fail(f"{stats[meta.FILES_PENDING]} files wait in the spool: run `morgue flush` to upload them",
                    EXIT_PENDING)
    if failed:
        return fail(f"{len(failed)} of {len(urls)} URLs not saved", EXIT_FAILED)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if not args.loglevel:  # the per-URL lines are the output; the log keeps to warnings unless asked
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if args.ignore_robots:
        settings.set("ROBOTSTXT_OBEY", False, priority="cmdline")
    if settings.getbool("MORGUE_SSRF_GUARD", False):  # the service's address rules, asked for
        from morgue.utils.ssrf import apply_guard

        try:
            apply_guard(settings)
        except ValueError as e:
            return fail(str(e))
    within = None
    if args.if_not_archived_within:
        try:
            within = parse_duration(args.if_not_archived_within)
        except ValueError as e:
            return fail(f"{e} (--if-not-archived-within)")
    return save(args.url, settings, as_json=args.json, outlinks=args.outlinks, within=within)

