"""``morgue export``: the store's text records as a filtered, deduplicated corpus with provenance.

Steps, so that text is read only where needed:

1. the catalogue (``morgue.corpus.catalogue``), with text files that have none read
   to make theirs in memory;
2. decisions on the catalogue alone, column-wise: the latest version of each story
   (unless ``all_versions``), the filters, exact duplicates (same normalised-text hash;
   the earliest capture is kept);
3. with ``near``: a pass over the kept texts making MinHash signatures, then near
   duplicates dropped in order of capture (the earliest is kept);
4. the kept records read from their text files (a file with nothing kept is skipped,
   one with some kept is read in byte ranges) in pieces of a few MB, rows written.

Memory holds the catalogue's columns (a few hundred bytes a record), with ``near`` the
signatures and the LSH index (about 1 kB a record), and a few row groups of output:
never the corpus.
"""

from __future__ import annotations

import collections
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from morgue.corpus import catalogue as cat
from morgue.corpus import work
from morgue.corpus.dedup import THRESHOLD, NearDuplicates, piece_signatures
from morgue.corpus.entries import entries
from morgue.corpus.filters import Filters
from morgue.corpus.formats import CorpusWriter
from morgue.corpus.records import Piece, coalesce, text_keys
from morgue.store import Store

logger = logging.getLogger(__name__)

DEDUP = ("exact", "near")
DROPPED_FILE = "_dropped.jsonl"
SUMMARY_FILE = "_summary.json"
RANGE_GAP = 16 * 1024  # bytes of unwanted records worth reading to save a ranged read
PIECE_BYTES = 4 << 20  # of compressed text handed to a worker at a time
PROCESSES_FROM = 5000  # records from which near-duplicate signatures pay for worker processes


@dataclass
class Options:
    out: Path
    format: str = "parquet"
    filters: Filters = field(default_factory=Filters)
    dedup: str | None = None
    near_threshold: float = THRESHOLD
    partition: str | None = None
    all_versions: bool = False
    all_generations: bool = False  # every generation of a capture's text record, not only the newest
    workers: int | None = None  # threads reading text; None: one per core for large exports, 0: none


@dataclass
class Summary:
    text_files: int = 0
    text_files_read: int = 0
    text_files_skipped: int = 0
    text_files_without_catalogue: int = 0
    text_bytes: int = 0
    text_bytes_read: int = 0
    text_bytes_scanned: int = 0  # read to make missing catalogues
    records: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    kept: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def drop(self, reason: str, n: int = 1) -> None:
        if n:
            self.dropped[reason] = self.dropped.get(reason, 0) + n

    def lines(self) -> list[str]:
        read = (f"read {self.text_files_read} of {self.text_files} text files "
                f"({self.text_files_skipped} skipped by the catalogue; "
                f"{_mb(self.text_bytes_read)} of {_mb(self.text_bytes)} of text)")
        out = [f"morgue: {read}",
               f"morgue: {self.records} records; kept {self.kept}"]
        if self.dropped:
            out.append("morgue: dropped " + ", ".join(f"{k} {v}" for k, v in self.dropped.items()))
        if self.text_files_without_catalogue:
            out.append(f"morgue: {self.text_files_without_catalogue} text files had no catalogue and were read "
                       f"to make one ({_mb(self.text_bytes_scanned)}); `morgue reindex` stores theirs")
        return out


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


class _Counting(io.RawIOBase):
    """Counts the bytes read through a store stream."""

    def __init__(self, stream, counter: list[int]):
        self.stream = stream
        self.counter = counter

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.counter[0] += len(data)
        return data


def _catalogue(store: Store, keys: list[str], summary: Summary) -> pa.Table:
    loaded = cat.load(store, keys)
    tables = [loaded.table]
    summary.text_files_without_catalogue = len(loaded.missing)
    counter = [0]
    for key in loaded.missing:
        with store.open(key) as f:
            tables.append(cat.table(entries(_Counting(f, counter), key)))
    summary.text_bytes_scanned += counter[0]
    t = pa.concat_tables(tables)
    # a record older than re-extraction (or a catalogue older than generations) is generation 1
    t = t.set_column(t.schema.get_field_index("generation"), "generation", pc.fill_null(t["generation"], 1))
    return t.append_column("i", pa.array(np.arange(t.num_rows, dtype=np.int64)))


def _first_of_groups(t: pa.Table, keys: list[tuple[str, str]], group: str) -> tuple[np.ndarray, np.ndarray]:
    """Sort ``t`` by ``keys``; for each row, the row index of the first row of its ``group`` run."""
    order = pc.sort_indices(t, sort_keys=keys).to_numpy()
    g = t[group].take(order).to_numpy(zero_copy_only=False)
    starts = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        starts[1:] = g[1:] != g[:-1]
    first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
    return order, first


def decide(t: pa.Table, options: Options, summary: Summary, dropped: Callable[[dict], None]) -> np.ndarray:
    """A mask of the catalogue rows to export; drops are counted, and duplicates reported to ``dropped``."""
    keep = np.ones(t.num_rows, dtype=bool)

    def report(reason: str, idx: np.ndarray, kept: np.ndarray, similarity=None) -> None:
        cols = {c: t[c].take(pa.array(idx)).to_pylist() for c in ("warc_record_id", "url", "text_key", "text_offset")}
        kcols = {c: t[c].take(pa.array(kept)).to_pylist() for c in ("warc_record_id", "url")}
        for j in range(len(idx)):
            dropped({"reason": reason, **{c: v[j] for c, v in cols.items()},
                     "kept_warc_record_id": kcols["warc_record_id"][j], "kept_url": kcols["url"][j]})

    # a capture: its WARC record (a text record from before record IDs: its own place)
    capture = pc.fill_null(t["warc_record_id"], pc.binary_join_element_wise(
        t["text_key"], pc.cast(t["text_offset"], pa.string()), "@")) if t.num_rows else pa.array([], pa.string())
    newest_first = [("generation", "descending"), ("text_key", "descending"), ("text_offset", "descending")]
    if not options.all_generations and t.num_rows:
        # re-extraction's generations of one capture: the newest one (then the latest written)
        g = t.append_column("capture", capture)
        order, first = _first_of_groups(g, [("capture", "ascending"), *newest_first], "capture")
        old = order[first != order]
        keep[old] = False
        summary.drop("older_generation", len(old))
        report("older_generation", old, first[first != order])
    if not options.all_versions and keep.any():
        s = t.set_column(t.schema.get_field_index("story"), "story", pc.fill_null(t["story"], ""))
        order, first = _first_of_groups(
            s, [("story", "ascending"), ("version", "descending"), ("fetched_at", "descending"), *newest_first],
            "story")
        cap = capture.to_numpy(zero_copy_only=False)
        older = (cap[order] != cap[first]) & keep[order]  # another capture of the story: an older version
        old = order[older]
        keep[old] = False
        summary.drop("older_version", len(old))
        report("older_version", old, first[older])
    for name, fails in options.filters.failures(t):
        mask = fails.to_numpy(zero_copy_only=False) & keep
        summary.drop(name, int(mask.sum()))
        keep &= ~mask
    if options.dedup in DEDUP and keep.any():
        rest = t.filter(pa.array(keep))
        order, first = _first_of_groups(rest, [("text_hash", "ascending"), ("fetched_at", "ascending"),
                                               ("i", "ascending")], "text_hash")
        dup = first != order
        ids = rest["i"].to_numpy()
        keep[ids[order[dup]]] = False
        summary.drop("exact_duplicate", int(dup.sum()))
        report("exact_duplicate", ids[order[dup]], ids[first[dup]])
    return keep


def export(store: Store, options: Options, progress: Callable[[int], None] | None = None,
           on_total: Callable[[str, int], None] | None = None, keys: list[str] | None = None) -> Summary:
    """Export the store's text records to ``options.out`` (a new or empty folder); returns the summary.

    ``on_total(stage, n)`` announces a pass over ``n`` records (``near-duplicates`` then
    ``export``), ``progress(k)`` the records done since: what a progress bar needs.
    """
    started = time.monotonic()
    summary = Summary()
    keys = text_keys(store) if keys is None else keys
    summary.text_files = len(keys)
    t = _catalogue(store, keys, summary)
    summary.records = t.num_rows
    if t.num_rows:
        ends = pc.add(t["text_offset"], t["text_length"]).to_numpy()
        files = pc.dictionary_encode(t["text_key"]).combine_chunks().indices.to_numpy()
        size = np.zeros(int(files.max()) + 1, dtype=np.int64)
        np.maximum.at(size, files, ends)
        summary.text_bytes = int(size.sum())
    options.out.mkdir(parents=True, exist_ok=True)
    with open(options.out / DROPPED_FILE, "w", encoding="utf-8") as dropped_file:
        def dropped(entry: dict) -> None:
            dropped_file.write(json.dumps(entry, ensure_ascii=False) + "\n")

        keep = decide(t, options, summary, dropped)
        workers = options.workers
        if workers is None:
            workers = min(os.cpu_count() or 1, 4)
        if options.dedup == "near" and keep.any():
            if on_total:
                on_total("near-duplicates", int(keep.sum()))
            _near(store, keys, t, keep, threshold=options.near_threshold, summary=summary, dropped=dropped,
                  workers=workers, progress=progress)
        pool = _Pool(workers)
        try:
            if on_total:
                on_total("export", int(keep.sum()))
            writer = CorpusWriter(options.out, options.format, options.partition)
            for _, (table, bad) in pool.map(work.read_table, _pieces(store, keys, t, keep, summary)):
                summary.drop("unreadable", bad)
                writer.write_table(table)
                if progress:
                    progress(table.num_rows)
            summary.files = [str(p) for p in writer.close()]
        finally:
            pool.close()
    summary.kept = writer.rows
    summary.seconds = round(time.monotonic() - started, 3)
    (options.out / SUMMARY_FILE).write_text(json.dumps(summary.__dict__, indent=1) + "\n", encoding="utf-8")
    return summary


def _near(store: Store, keys: list[str], t: pa.Table, keep: np.ndarray, *, threshold: float,
          summary: Summary, dropped: Callable[[dict], None], workers: int,
          progress: Callable[[int], None] | None) -> None:
    """Drop near duplicates from ``keep``: signatures in archive order, then kept in order of capture.

    Signatures are Python-bound (words, shingles), so they are made in worker processes
    when there are enough records to pay for starting them.
    """
    rows = np.flatnonzero(keep)
    taken = t.take(pa.array(rows))
    position = {(k, o): j for j, (k, o) in enumerate(zip(
        taken["text_key"].to_pylist(), taken["text_offset"].to_pylist(), strict=True))}
    near = NearDuplicates(threshold)
    signatures = np.zeros((len(rows), near.num_perm), dtype=near.dtype)
    has = np.zeros(len(rows), dtype=bool)
    pool = _Pool(workers if len(rows) >= PROCESSES_FROM else 0, processes=True)
    try:
        for piece, result in pool.map(piece_signatures, _pieces(store, keys, t, keep, Summary()), threshold):
            for offset, sig in result:
                if sig is not None:
                    j = position[(piece.key, offset)]
                    signatures[j], has[j] = sig, True
            if progress:
                progress(len(result))
    finally:
        pool.close()
    fetched = pc.fill_null(taken["fetched_at"], "").to_numpy(zero_copy_only=False)
    ids, urls = taken["warc_record_id"].to_pylist(), taken["url"].to_pylist()
    for j in sorted(range(len(rows)), key=lambda j: (fetched[j], rows[j])):
        dup = near.check(j, signatures[j] if has[j] else None)
        if dup is None:
            continue
        keep[rows[j]] = False
        summary.drop("near_duplicate")
        k = dup.of
        dropped({"reason": "near_duplicate", "warc_record_id": ids[j], "url": urls[j],
                 "text_key": taken["text_key"][j].as_py(), "text_offset": taken["text_offset"][j].as_py(),
                 "kept_warc_record_id": ids[k], "kept_url": urls[k], "similarity": round(dup.similarity, 3)})


def _pieces(store: Store, keys: list[str], t: pa.Table, keep: np.ndarray, summary: Summary) -> Iterator[Piece]:
    """The kept records as pieces of their text files, read from the store, in archive order.

    A file with nothing kept is skipped; one with everything kept is read whole; otherwise
    only the byte ranges of the kept records (neighbours closer than ``RANGE_GAP`` merged).
    """
    order = pc.sort_indices(t, sort_keys=[("text_key", "ascending"), ("text_offset", "ascending")]).to_numpy()
    cols = t.select(["text_key", "text_offset", "text_length", *work.DERIVED]).take(pa.array(order))
    file_keys = cols["text_key"].to_numpy(zero_copy_only=False)
    offsets = cols["text_offset"].to_numpy()
    lengths = cols["text_length"].to_numpy()
    kept = keep[order]
    bounds = {}
    if len(order):
        starts = np.flatnonzero(np.r_[True, file_keys[1:] != file_keys[:-1]])
        ends = np.r_[starts[1:], len(order)]
        bounds = {file_keys[a]: (a, b) for a, b in zip(starts, ends, strict=True)}
    for key in keys:
        a, b = bounds.get(key, (0, 0))
        wanted = np.flatnonzero(kept[a:b]) + a
        if not len(wanted):
            summary.text_files_skipped += 1
            continue
        summary.text_files_read += 1
        if len(wanted) == b - a:
            ranges = [(int(offsets[a]), int(offsets[b - 1] + lengths[b - 1] - offsets[a]))]
        else:
            ranges = coalesce(((int(offsets[i]), int(lengths[i])) for i in wanted), RANGE_GAP)
        want_offsets, want_lengths = offsets[wanted], lengths[wanted]
        want_derived = {name: cols[name].take(pa.array(wanted)).to_pylist() for name in work.DERIVED}
        members = offsets[a:b]
        for begin, length in ranges:
            start, end = begin, begin + length
            while start < end:  # pieces of about PIECE_BYTES, cut where a record starts
                target = start + PIECE_BYTES
                stop = end
                if target < end:
                    i = int(np.searchsorted(members, target))
                    if i < len(members) and members[i] < end:
                        stop = int(members[i])
                data = store.read_range(key, start, stop - start)
                summary.text_bytes_read += len(data)
                lo, hi = (int(x) for x in np.searchsorted(want_offsets, [start, stop]))
                yield Piece(key, start, want_offsets[lo:hi].tolist(), want_lengths[lo:hi].tolist(),
                                 {name: values[lo:hi] for name, values in want_derived.items()}, data)
                start = stop


class _Pool:
    """Runs piece jobs in threads, processes or inline; results in order, a few pieces ahead at most."""

    def __init__(self, workers: int, processes: bool = False):
        self.executor = None
        self.workers = workers
        if workers > 0 and processes:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            # forkserver: a fresh small process, not a copy of this one and its catalogue
            self.executor = ProcessPoolExecutor(workers, mp_context=get_context("forkserver"))
        elif workers > 0:
            from concurrent.futures import ThreadPoolExecutor

            self.executor = ThreadPoolExecutor(workers, thread_name_prefix="morgue-export")

    def map(self, fn, pieces: Iterator[Piece], *args) -> Iterator[tuple[Piece, object]]:
        if self.executor is None:
            for p in pieces:
                yield p, fn(p, *args)
            return
        pending: collections.deque = collections.deque()
        for p in pieces:
            # what comes back is the piece's name, not its bytes
            pending.append((Piece(p.key, p.offset, [], []), self.executor.submit(fn, p, *args)))
            if len(pending) > 2 * self.workers:
                piece, future = pending.popleft()
                yield piece, future.result()
        while pending:
            piece, future = pending.popleft()
            yield piece, future.result()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
