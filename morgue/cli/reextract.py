"""``morgue reextract``: a new generation of text records from the archived HTML, nothing fetched again.

Reads each chosen capture back from its WARC file (one ranged read), runs the current
extraction in worker processes (``MORGUE_EXTRACT_WORKERS``, ``MORGUE_EXTRACT_TIMEOUT``), and
stores the new records in new text files; the old ones stay. Export and ``morgue show`` use
the newest generation of each capture. Exit codes: 0 records written; 1 nothing to
re-extract or no record written; 2 bad input or an unusable store; 3 text files wait in the
spool (``morgue flush`` uploads them).
"""

from __future__ import annotations

import argparse
import os
import sys

from morgue.cli.common import EXIT_OK, EXIT_PENDING, fail

EXIT_NOTHING = 1


def add_parser(sub) -> None:
    p = sub.add_parser("reextract", help="re-extract archived pages into a new generation of text records",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("--since", metavar="DATE", help="only pages fetched on or after DATE (YYYY-MM-DD, UTC)")
    p.add_argument("--site", action="append", metavar="HOST", help="only this site and its subdomains (repeatable)")
    p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
    p.add_argument("--spool", help="local folder for files waiting for upload (default: the store's)")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="a MORGUE_* setting")
    p.add_argument("-L", "--loglevel", help="log level (default WARNING)")
    p.set_defaults(func="reextract")


def run(args: argparse.Namespace) -> int:
    import logging

    from morgue.cli.common import open_checked_store, settings_from_args
    from morgue.config import number
    from morgue.corpus.filters import normalise_site, parse_day
    from morgue.corpus.reextract import Selection, reextract
    from morgue.store import StoreError
    from morgue.store.spool import spool_from_settings

    level = str(args.loglevel or "WARNING").upper()
    logging.basicConfig(level=level if isinstance(logging.getLevelName(level), int) else "WARNING",
                        format="morgue: %(levelname)s: %(message)s")
    try:
        selection = Selection(since=parse_day(args.since, "--since") if args.since else None,
                              sites=frozenset(normalise_site(s) for s in args.site or ()))
    except ValueError as e:
        return fail(str(e))
    settings = settings_from_args(args)
    try:
        workers = number(settings, "MORGUE_EXTRACT_WORKERS", os.cpu_count() or 1, minimum=0)
        timeout = number(settings, "MORGUE_EXTRACT_TIMEOUT", 60, kind=float, minimum=0.001)
        max_size = number(settings, "MORGUE_TEXT_MAX_SIZE", 100_000_000, minimum=1)
    except ValueError as e:
        return fail(str(e))
    store = open_checked_store(settings)
    spool = spool_from_settings(settings, store)
    try:
        summary = reextract(store, spool, selection, workers=workers, timeout=timeout, max_size=max_size,
                            prefix=settings.get("MORGUE_WARC_PREFIX", "MORGUE"))
    except StoreError as e:
        return fail(f"{e}; what was re-extracted waits in spool {spool.root}: `morgue flush` uploads it",
                    EXIT_PENDING)
    if not summary.chosen:
        return fail(f"no text records to re-extract in store {store.uri}", EXIT_NOTHING)
    print(f"morgue: re-extracted {summary.written} of {summary.chosen} records into {len(summary.files)} "
          f"text files (no article text: {summary.empty}; failed: {summary.failed})", file=sys.stderr)
    for error in summary.errors[:10]:
        print(f"morgue: failed: {error}", file=sys.stderr)
    for key in summary.files:
        print(key)
    if not summary.written:
        return fail("no text record written", EXIT_NOTHING)
    return EXIT_OK
