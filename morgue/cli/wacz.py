"""``morgue wacz``: package WARC files (a crawl's, or a date range's) as one WACZ file.

The WACZ holds the WARC files as stored, their merged CDXJ index, the list of articles
and a datapackage with every file's SHA-256: replayweb.page and pywb open it as it is,
and ``wacz validate`` passes it. Reads the store only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from morgue.cli.common import EXIT_OK, fail
from morgue.cli.export import add_store_arguments, open_store_for_reading

EXIT_NOTHING = 1


def add_parser(sub) -> None:
    p = sub.add_parser("wacz", help="package WARC files (a crawl's, or a date range's) as a WACZ file",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the WACZ file to write (a new file)")
    p.add_argument("--since", metavar="DATE", help="WARC files opened on or after DATE (YYYY-MM-DD, UTC)")
    p.add_argument("--until", metavar="DATE", help="WARC files opened on or before DATE")
    p.add_argument("--warc", action="append", metavar="NAME",
                   help="this WARC file (its name or store key; repeatable): a crawl's files")
    p.add_argument("--title", help="the package's title")
    add_store_arguments(p)
    p.set_defaults(func="wacz")


def run(args: argparse.Namespace) -> int:
    from morgue.corpus.filters import parse_day
    from morgue.store import StoreError
    from morgue.warc.wacz import package, warc_keys

    out = Path(args.output)
    if out.exists():
        return fail(f"--output {out} exists: choose a new file")
    if not out.parent.is_dir():
        return fail(f"--output {out}: folder {out.parent} does not exist")
    try:
        since = parse_day(args.since, "--since") if args.since else None
        until = parse_day(args.until, "--until") if args.until else None
    except ValueError as e:
        return fail(str(e))
    store = open_store_for_reading(args)
    root = getattr(store, "root", None)
    if isinstance(root, Path) and not root.is_dir():
        return fail(f"store {store.uri} does not exist")
    names = frozenset(args.warc or ())
    try:
        keys = warc_keys(store, since, until, names)
        missing = sorted(names - set(keys) - {k.rsplit("/", 1)[-1] for k in keys})
        if missing:
            return fail(f"no WARC file {missing[0]} in store {store.uri}" +
                        (" within the dates given" if since or until else ""))
        if not keys:
            return fail(f"no WARC files to package in store {store.uri}", EXIT_NOTHING)
        packed = package(store, keys, out, title=args.title)
    except StoreError as e:
        return fail(str(e))
    except OSError as e:
        return fail(f"cannot write {out}: {e.strerror or e}")
    print(f"morgue: {packed.warc_files} WARC files ({packed.warc_bytes / 1e6:.1f} MB), {packed.captures} captures, "
          f"{packed.pages} articles", file=sys.stderr)
    print(out)
    return EXIT_OK
