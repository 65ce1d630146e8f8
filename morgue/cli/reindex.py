"""``morgue reindex``: make the catalogue of every text file that has none, then a compacted one; rebuild state.

The crawl state (``state/``: what incremental crawls compare against) is
rebuilt from the text records and WARC files, for every site they hold, and
saved as a new snapshot: a lost or damaged state costs one reindex.

With ``--rebuild`` every text file is read again (for a catalogue made by an older
morgue, or one that is suspect); the new compacted catalogue then supersedes all
per-file ones for the text files it covers.
"""

from __future__ import annotations

import argparse
import sys

from morgue.cli.common import EXIT_OK, fail
from morgue.cli.export import add_store_arguments, existing_text_keys, open_store_for_reading


def add_parser(sub) -> None:
    p = sub.add_parser("reindex", help="rebuild the catalogue export reads (per text file, plus a compacted one)",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("--rebuild", action="store_true", help="read every text file again, not only new ones")
    add_store_arguments(p)
    p.set_defaults(func="reindex")


def run(args: argparse.Namespace) -> int:
    from morgue.corpus.catalogue import reindex
    from morgue.store import StoreError

    store = open_store_for_reading(args)
    try:
        existing_text_keys(store)  # a mistyped local path is an error, not an empty store
        counts = reindex(store, rebuild=args.rebuild)
    except StoreError as e:
        return fail(str(e))
    if not counts["text_files"]:
        return fail(f"no text records in store {store.uri}", 1)
    print(f"morgue: {counts['text_files']} text files, {counts['records']} records; read {counts['files_read']}, "
          f"made {counts['catalogues_made']} catalogues; compacted into {counts['compacted']}", file=sys.stderr)
    return rebuild_state(store)


def rebuild_state(store) -> int:
    """Rebuild and save the crawl state of every site in the store."""
    from morgue.store import StoreError
    from morgue.store.state import rebuild

    try:
        states = rebuild(store)
        for state in states.values():
            state.save(store)
    except StoreError as e:
        return fail(str(e))
    articles = sum(len(s) for s in states.values())
    print(f"morgue: crawl state rebuilt: {len(states)} sites, {articles} articles", file=sys.stderr)
    return EXIT_OK
