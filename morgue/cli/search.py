"""``morgue search "QUERY"``: find stories in the archive by full text, best first (BM25).

The query is FTS5 syntax: words (all must occur), ``"an exact phrase"``, ``OR``,
``NOT``, ``prefix*``; anything else is read as plain words. The index (SQLite, outside
the store) is brought up to date with new text files before each search.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from morgue.cli.common import EXIT_OK, fail
from morgue.cli.export import add_store_arguments, existing_text_keys, open_store_for_reading


def add_parser(sub) -> None:
    p = sub.add_parser("search", help="find stories by full text, best first",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("query", help='words, "a phrase", OR, NOT, prefix*')
    p.add_argument("--site", action="append", metavar="HOST", help="only this site and its subdomains (repeatable)")
    p.add_argument("--since", metavar="DATE", help="published on or after DATE")
    p.add_argument("--until", metavar="DATE", help="published on or before DATE")
    p.add_argument("-n", "--limit", type=int, default=10, help="how many results (default 10)")
    p.add_argument("--json", action="store_true", help="one JSON object per result")
    p.add_argument("--index", metavar="FILE", help="the search index (default ~/.cache/morgue/search/<store>.sqlite3)")
    add_store_arguments(p)
    p.set_defaults(func="search")


def run(args: argparse.Namespace) -> int:
    import sqlite3

    from morgue.corpus.filters import normalise_site, parse_day
    from morgue.corpus.search import SearchIndex, default_index
    from morgue.store import StoreError

    try:
        sites = frozenset(normalise_site(s) for s in args.site or ())
        since = parse_day(args.since, "--since") if args.since else None
        until = parse_day(args.until, "--until") if args.until else None
        if args.limit < 1:
            raise ValueError(f"invalid --limit {args.limit}: expected 1 or more")
        if not args.query.strip():
            raise ValueError("empty search query")
    except ValueError as e:
        return fail(str(e))
    store = open_store_for_reading(args)
    try:
        if not existing_text_keys(store):
            return fail(f"no text records in store {store.uri}", 1)
    except StoreError as e:
        return fail(str(e))
    path = Path(args.index) if args.index else default_index(store)
    try:
        index = SearchIndex(path)
    except (sqlite3.Error, OSError) as e:
        return fail(f"cannot open search index {path}: {e}")
    try:
        added = index.update(store)
        if added:
            print(f"morgue: indexed {added} new records", file=sys.stderr)
        hits = index.search(args.query, sites=sites, since=since, until=until, limit=args.limit)
    except (StoreError, ValueError) as e:
        return fail(str(e))
    finally:
        index.close()
    if not hits:
        return fail(f"no story matches {args.query!r}", 1)
    for h in hits:
        if args.json:
            print(json.dumps(h.__dict__, ensure_ascii=False))
        else:
            print(f"{(h.published or '')[:10] or '----------'}  {h.title or '(no title)'}\n"
                  f"            {h.url}\n            {' '.join(h.snippet.split())}\n")
    return EXIT_OK
