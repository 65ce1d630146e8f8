"""``morgue export``: the store's text records as a filtered, deduplicated corpus with provenance.

Three steps, so that text is read once and only where needed:

1. the catalogue (``morgue.corpus.catalogue``), with text files that have none read
   to make theirs in memory;
2. decisions on the catalogue alone, column-wise: the latest version of each story
   (unless ``all_versions``), the filters, exact duplicates (same normalised-text hash;
   the earliest capture is kept);
3. the kept records read from their text files (a file with nothing kept is skipped,
   one with some kept is read in byte ranges), near duplicates dropped as they stream
   past (the first in archive order is kept), rows written.

Memory holds the catalogue's columns (about 150 bytes a record), the near-duplicate
index when asked for, and a few row groups of output: never the corpus.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from morgue.corpus import catalogue as cat
from morgue.corpus.dedup import THRESHOLD, NearDuplicates
from morgue.corpus.filters import Filters
from morgue.corpus.formats import CorpusWriter
from morgue.corpus.records import TornFile, coalesce, iter_members, parse, text_keys
from morgue.corpus.rows import row
from morgue.store import Store

logger = logging.getLogger(__name__)

DEDUP = ("exact", "near")
DROPPED_FILE = "_dropped.jsonl"
SUMMARY_FILE = "_summary.json"
RANGE_GAP = 16 * 1024  # bytes of unwanted records worth reading to save a ranged read


@dataclass
class Options:
    out: Path
    format: str = "parquet"
    filters: Filters = field(default_factory=Filters)
    dedup: str | None = None
    near_threshold: float = THRESHOLD
    partition: str | None = None
    all_versions: bool = False


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
            tables.append(cat.table(cat.catalogue_rows(_Counting(f, counter), key)))
    summary.text_bytes_scanned += counter[0]
    t = pa.concat_tables(tables)
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

    if not options.all_versions and t.num_rows:
        s = t.set_column(t.schema.get_field_index("story"), "story", pc.fill_null(t["story"], ""))
        order, first = _first_of_groups(
            s, [("story", "ascending"), ("version", "descending"), ("fetched_at", "descending")], "story")
        old = order[first != order]
        keep[old] = False
        summary.drop("older_version", len(old))
        report("older_version", old, first[first != order])
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
    ``export``), ``progress(1)`` each record of it: what a progress bar needs.
    """
    started = time.monotonic()
    summary = Summary()
    keys = text_keys(store) if keys is None else keys
    summary.text_files = len(keys)
    t = _catalogue(store, keys, summary)
    summary.records = t.num_rows
    if t.num_rows:
        ends = pc.add(t["text_offset"], t["text_length"])
        sizes = pa.table({"k": t["text_key"], "e": ends}).group_by("k").aggregate([("e", "max")])
        summary.text_bytes = int(pc.sum(sizes["e_max"]).as_py() or 0)
    options.out.mkdir(parents=True, exist_ok=True)
    with open(options.out / DROPPED_FILE, "w", encoding="utf-8") as dropped_file:
        def dropped(entry: dict) -> None:
            dropped_file.write(json.dumps(entry, ensure_ascii=False) + "\n")

        keep = decide(t, options, summary, dropped)
        if options.dedup == "near" and keep.any():
            if on_total:
                on_total("near-duplicates", int(keep.sum()))
            _near(store, keys, t, keep, threshold=options.near_threshold, summary=summary, dropped=dropped,
                  progress=progress)
        if on_total:
            on_total("export", int(keep.sum()))
        writer = CorpusWriter(options.out, options.format, options.partition)
        for r in _stream(store, keys, t, keep, summary):
            if progress:
                progress(1)
            writer.write(r)
        summary.files = [str(p) for p in writer.close()]
    summary.kept = writer.rows
    summary.seconds = round(time.monotonic() - started, 3)
    (options.out / SUMMARY_FILE).write_text(json.dumps(summary.__dict__, indent=1) + "\n", encoding="utf-8")
    return summary


def _near(store: Store, keys: list[str], t: pa.Table, keep: np.ndarray, *, threshold: float,
          summary: Summary, dropped: Callable[[dict], None], progress: Callable[[int], None] | None) -> None:
    """Drop near duplicates from ``keep``: signatures in archive order, then kept in order of capture."""
    near = NearDuplicates(threshold)
    rows = np.flatnonzero(keep)
    position = {(k, o): j for j, (k, o) in enumerate(zip(
        t["text_key"].take(pa.array(rows)).to_pylist(), t["text_offset"].take(pa.array(rows)).to_pylist(),
        strict=True))}
    signatures = np.zeros((len(rows), near.num_perm), dtype=near.dtype)
    has = np.zeros(len(rows), dtype=bool)
    for r in _stream(store, keys, t, keep, Summary()):
        if progress:
            progress(1)
        sig = near.signature(r["text"] or "")
        if sig is not None:
            j = position[(r["text_key"], r["text_offset"])]
            signatures[j], has[j] = sig, True
    fetched = pc.fill_null(t["fetched_at"].take(pa.array(rows)), "").to_numpy(zero_copy_only=False)
    ids = t["warc_record_id"].take(pa.array(rows)).to_pylist()
    urls = t["url"].take(pa.array(rows)).to_pylist()
    for j in sorted(range(len(rows)), key=lambda j: (fetched[j], rows[j])):
        dup = near.check(j, signatures[j] if has[j] else None)
        if dup is None:
            continue
        keep[rows[j]] = False
        summary.drop("near_duplicate")
        k = dup.of
        i = int(rows[j])
        dropped({"reason": "near_duplicate", "warc_record_id": ids[j], "url": urls[j],
                 "text_key": t["text_key"][i].as_py(), "text_offset": t["text_offset"][i].as_py(),
                 "kept_warc_record_id": ids[k], "kept_url": urls[k], "similarity": round(dup.similarity, 3)})


def _stream(store: Store, keys: list[str], t: pa.Table, keep: np.ndarray, summary: Summary):
    """The rows of the records ``keep`` marks, in archive order; files with none are skipped."""
    wanted = t.filter(pa.array(keep)).select(["text_key", "text_offset", "text_length"])
    per_file: dict[str, list[tuple[int, int]]] = {}
    for k, o, n in zip(*(wanted[c].to_pylist() for c in wanted.column_names), strict=True):
        per_file.setdefault(k, []).append((o, n))
    counts = {}
    if t.num_rows:
        vc = pc.value_counts(t["text_key"])
        counts = dict(zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True))
    for key in keys:
        spans = per_file.get(key)
        if not spans:
            summary.text_files_skipped += 1
            continue
        summary.text_files_read += 1
        yield from _read(store, key, spans, counts.get(key, 0), summary)


def _read(store: Store, key: str, spans: list[tuple[int, int]], in_file: int, summary: Summary):
    """The rows of ``key`` at ``spans``: the whole file streamed when every record is wanted."""
    wanted = {o for o, _ in spans}
    counter = [0]
    try:
        if len(spans) == in_file:
            with store.open(key) as f:
                yield from _rows(iter_members(_Counting(f, counter)), key, wanted, summary)
        else:
            for offset, length in coalesce(spans, RANGE_GAP):
                data = store.read_range(key, offset, length)
                counter[0] += len(data)
                yield from _rows(iter_members(io.BytesIO(data), start=offset), key, wanted, summary)
    except TornFile as e:
        logger.warning("Text file %s: %s", key, e)
    finally:
        summary.text_bytes_read += counter[0]


def _rows(members, key: str, wanted: set[int], summary: Summary):
    for m in members:
        if m.offset not in wanted:
            continue
        try:
            yield row(parse(m), key, m.offset, m.length)
        except (ValueError, TypeError):
            summary.drop("unreadable")
