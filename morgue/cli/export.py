"""``morgue export``: the archive's text records as a clean corpus (Parquet, JSON Lines or CSV).

Reads the store only (it needs no write access); writes ``--out``, which must be a new
or empty folder: ``corpus.<format>`` (or ``<site|month>=<value>/corpus.<format>``),
``_summary.json`` (what each filter and dedup step dropped) and ``_dropped.jsonl`` (each
dropped duplicate or older version, and the kept record it duplicates).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from morgue.cli.common import EXIT_OK, fail

EXIT_NOTHING = 1


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    """--store, -s and -L, as every command that reads the archive takes them."""
    p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="a MORGUE_* setting (e.g. MORGUE_S3_*)")
    p.add_argument("-L", "--loglevel", help="log level (default WARNING)")


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export text records as a corpus: Parquet, JSON Lines or CSV",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder for the corpus")
    p.add_argument("--format", default="parquet", choices=("parquet", "jsonl", "csv"), help="default parquet")
    p.add_argument("--since", metavar="DATE", help="published on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="published on or before DATE")
    p.add_argument("--fetched-since", metavar="DATE", help="fetched on or after DATE (UTC)")
    p.add_argument("--fetched-until", metavar="DATE", help="fetched on or before DATE (UTC)")
    p.add_argument("--site", action="append", metavar="HOST", help="only this site and its subdomains (repeatable)")
    p.add_argument("--lang", action="append", metavar="CODE", help="only this language, e.g. en (repeatable)")
    p.add_argument("--kind", action="append", metavar="KIND", help="only this page kind, e.g. article (repeatable)")
    p.add_argument("--min-words", type=int, default=0, metavar="N", help="only records of at least N words")
    p.add_argument("--dedup", choices=("exact", "near"), help="drop duplicates: identical text, or also near")
    p.add_argument("--near-threshold", type=float, default=None, metavar="J",
                   help="Jaccard similarity of word 5-grams from which texts are near duplicates (default 0.7)")
    p.add_argument("--partition", choices=("site", "month"), help="hive-partitioned output folders")
    p.add_argument("--all-versions", action="store_true", help="every version of a story, not only the latest")
    p.add_argument("--all-generations", action="store_true",
                   help="every generation of a capture's text record (re-extraction), not only the newest")
    p.add_argument("--workers", type=int, metavar="N",
                   help="threads reading text (default: one per core, at most 4; 0: none)")
    p.add_argument("--progress", choices=("auto", "on", "off"), default="auto",
                   help="progress bar (auto: on a terminal)")
    add_store_arguments(p)
    p.set_defaults(func="export")


def open_store_for_reading(args: argparse.Namespace):
    """The store the flags name, without the write probe a crawl makes: reading needs no write access.

    Also sets up logging at ``-L`` (default WARNING): the catalogue warns of unreadable files.
    """
    import logging

    from morgue.cli.common import settings_from_args
    from morgue.store import StoreError, store_from_settings

    level = str(args.loglevel or "WARNING").upper()
    logging.basicConfig(level=level if isinstance(logging.getLevelName(level), int) else "WARNING",
                        format="morgue: %(levelname)s: %(message)s")

    try:
        return store_from_settings(settings_from_args(args))
    except (StoreError, ValueError) as e:
        raise SystemExit(fail(str(e))) from None


def existing_text_keys(store) -> list[str]:
    """The store's text files; StoreError for a local store that does not exist (a mistyped path)."""
    from morgue.corpus.records import text_keys
    from morgue.store import StoreError

    root = getattr(store, "root", None)
    if isinstance(root, Path) and not root.is_dir():
        raise StoreError(f"store {store.uri} does not exist")
    return text_keys(store)


def progress_bar(mode: str):
    """A tqdm bar on stderr (on a terminal, or ``on``): (on_total, progress, close) callbacks."""
    if mode == "off" or (mode == "auto" and not sys.stderr.isatty()):
        return None, None, lambda: None
    from tqdm import tqdm

    bars: list[tqdm] = []

    def on_total(stage: str, n: int) -> None:
        if bars:
            bars[-1].close()
        bars.append(tqdm(total=n, desc=stage, unit=" records", file=sys.stderr, mininterval=0.5))

    def close() -> None:
        if bars:
            bars[-1].close()

    return on_total, lambda n: bars[-1].update(n) if bars else None, close


def options_from_args(args: argparse.Namespace):
    from morgue.corpus.dedup import THRESHOLD
    from morgue.corpus.export import Options
    from morgue.corpus.filters import Filters, normalise_site, parse_day

    out = Path(args.out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"--out {out} exists and is not an empty folder: choose a new one")
    if args.workers is not None and args.workers < 0:
        raise ValueError(f"invalid --workers {args.workers}: expected 0 or more")
    if args.min_words < 0:
        raise ValueError(f"invalid --min-words {args.min_words}: expected 0 or more")
    threshold = THRESHOLD if args.near_threshold is None else args.near_threshold
    if not 0 < threshold <= 1:
        raise ValueError(f"invalid --near-threshold {threshold}: expected a number in (0, 1]")
    if args.near_threshold is not None and args.dedup != "near":
        raise ValueError("--near-threshold needs --dedup near")
    days = {name: parse_day(value, "--" + name.replace("_", "-")) if value else None
            for name, value in (("since", args.since), ("until", args.until),
                                ("fetched_since", args.fetched_since), ("fetched_until", args.fetched_until))}
    filters = Filters(
        **days,
        sites=frozenset(normalise_site(s) for s in args.site or ()),
        languages=frozenset(x.strip().lower() for x in args.lang or ()),
        kinds=frozenset(x.strip().lower() for x in args.kind or ()),
        min_words=args.min_words,
    )
    return Options(out=out, format=args.format, filters=filters, dedup=args.dedup, near_threshold=threshold,
                   partition=args.partition, all_versions=args.all_versions,
                   all_generations=args.all_generations, workers=args.workers)


def release_memory_promptly() -> None:
    """Arrow memory from jemalloc, handed back as soon as it is freed.

    pyarrow's default allocator (mimalloc) keeps what it freed: reading a 200,000-record
    catalogue alone left 100 MB more resident. ``ARROW_DEFAULT_MEMORY_POOL``, when set, wins.
    """
    import os

    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
    except NotImplementedError:  # a pyarrow built without jemalloc (Windows)
        return
    pa.set_memory_pool(pool)


def run(args: argparse.Namespace) -> int:
    from morgue.corpus.export import export
    from morgue.store import StoreError

    release_memory_promptly()

    try:
        options = options_from_args(args)
    except ValueError as e:
        return fail(str(e))
    store = open_store_for_reading(args)
    try:
        keys = existing_text_keys(store)
    except StoreError as e:
        return fail(str(e))
    if not keys:
        return fail(f"no text records in store {store.uri}", EXIT_NOTHING)
    on_total, progress, close = progress_bar(args.progress)
    try:
        summary = export(store, options, progress=progress, on_total=on_total, keys=keys)
    except StoreError as e:
        return fail(str(e))
    except OSError as e:
        return fail(f"cannot write {options.out}: {e.strerror or e}")
    finally:
        close()
    for line in summary.lines():
        print(line, file=sys.stderr)
    if not summary.kept:
        return fail(f"nothing exported: all {summary.records} records were dropped", EXIT_NOTHING)
    for path in summary.files:
        print(path)
    return EXIT_OK
