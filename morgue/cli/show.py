"""``morgue show URL``: the captures of a URL (time, status, WARC location) and the text records made of them.

Captures are found through the CDXJ indexes (``morgue.warc.cdxj``), text records through the
catalogue; with ``--text``, the clean text of the newest generation of the newest capture's
text record follows. Reads the store only.
"""

from __future__ import annotations

import argparse
import sys

from morgue.cli.common import EXIT_OK, fail
from morgue.cli.export import add_store_arguments, open_store_for_reading

EXIT_NOTHING = 1


def add_cache_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", metavar="FILE",
                   help="local copy of the store's CDXJ indexes (default ~/.cache/morgue/cdxj/<store>.sqlite3)")


def add_parser(sub) -> None:
    p = sub.add_parser("show", help="the captures of a URL and the text records made of them",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("url", help="the page's URL, as it was fetched")
    p.add_argument("--text", action="store_true", help="also print the clean text of the newest text record")
    add_cache_argument(p)
    add_store_arguments(p)
    p.set_defaults(func="show")


def find_captures(args: argparse.Namespace):
    """(store, captures of args.url newest first); SystemExit with a one-line error for bad input."""
    from pathlib import Path

    from morgue.store import StoreError
    from morgue.warc.cdxj import lookup

    store = open_store_for_reading(args)
    root = getattr(store, "root", None)
    if isinstance(root, Path) and not root.is_dir():
        raise SystemExit(fail(f"store {store.uri} does not exist"))
    try:
        captures = lookup(store, args.url, Path(args.index) if args.index else None)
    except StoreError as e:
        raise SystemExit(fail(str(e))) from None
    except OSError as e:
        raise SystemExit(fail(f"cannot use the CDXJ index copy: {e.strerror or e}")) from None
    if not captures:
        raise SystemExit(fail(f"no capture of {args.url} in store {store.uri}", EXIT_NOTHING))
    return store, captures


def text_records(store, url: str) -> list[dict]:
    """The text records of ``url`` (every generation), newest capture then newest generation first."""
    from morgue.corpus.reextract import generations_of

    return generations_of(store, url)


def run(args: argparse.Namespace) -> int:
    from morgue.warc.cdxj import read_metadata

    store, captures = find_captures(args)
    records = text_records(store, args.url)
    by_capture: dict[str, list[dict]] = {}
    for r in records:
        by_capture.setdefault(r.get("warc_record_id") or "", []).append(r)
    out = sys.stdout
    print(f"{args.url}: {len(captures)} captures", file=out)
    for c in captures:
        print(f"{c.time}  {c.status or '-':>3}  {c.mime}  {c.warc_key} @{c.offset}+{c.length}  "
              f"{c.digest or '-'}", file=out)
        found = read_metadata(store, c)
        if found:
            print(f"    found: via {found.get('via', '-')} from {found.get('from') or '-'}", file=out)
        for r in by_capture.get(c.record_id or "", []):
            print(f"    text: generation {r.get('generation') or 1}, {r.get('word_count') or 0} words, "
                  f"extractor {r.get('extractor')}  ({r['text_key']} @{r['text_offset']})", file=out)
    if args.text:
        if not records:
            return fail(f"no text record of {args.url} in store {store.uri}", EXIT_NOTHING)
        print(file=out)
        print(records[0].get("title") or "", file=out)
        print(file=out)
        print(records[0].get("text") or "", file=out)
    return EXIT_OK
