"""``morgue get URL``: the archived body of a URL as it was served, decoded (gzip, br, chunked).

The capture nearest ``--at`` (default: the newest; a 2xx before any other) is read with one
ranged read of its WARC record, found through the CDXJ indexes. Reads the store only.
"""

from __future__ import annotations

import argparse
import sys

from morgue.cli.common import EXIT_OK, fail
from morgue.cli.export import add_store_arguments
from morgue.cli.show import add_cache_argument, find_captures


def add_parser(sub) -> None:
    p = sub.add_parser("get", help="write the archived body of a URL as it was served (decoded)",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("url", help="the page's URL, as it was fetched")
    p.add_argument("--at", metavar="TIME", help="the capture nearest TIME (YYYY-MM-DD[THH:MM:SSZ] or 14 digits)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the body here (default: standard output)")
    add_cache_argument(p)
    add_store_arguments(p)
    p.set_defaults(func="get")


def run(args: argparse.Namespace) -> int:
    from morgue.store import StoreError
    from morgue.warc.cdxj import closest, parse_time, read_body

    try:
        at = parse_time(args.at) if args.at else None
    except ValueError as e:
        return fail(f"--at: {e}")
    store, captures = find_captures(args)
    capture = closest(captures, at)
    assert capture is not None
    try:
        body = read_body(store, capture)
    except StoreError as e:
        return fail(str(e))
    except ValueError as e:
        return fail(f"cannot read the capture of {args.url} at {capture.warc_key} @{capture.offset}: {e}")
    if args.output:
        try:
            with open(args.output, "wb") as f:
                f.write(body)
        except OSError as e:
            return fail(f"cannot write {args.output}: {e.strerror or e}")
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    print(f"morgue: {capture.url} captured {capture.time}, status {capture.status or '-'}, {len(body)} bytes",
          file=sys.stderr)
    return EXIT_OK
