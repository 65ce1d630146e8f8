"""Corpus export, near-duplicate removal, catalogue skipping and search on a store of synthetic records.

Usage: python benchmarks/corpus.py [--records N] [--repeat R] [--keep DIR] [--data DIR]

Builds a local store of ``--records`` text records (default 200,000) written through morgue's own
text writer (``morgue.corpus.synthetic``): texts made of sentences of the development pages' article
bodies (``../shared/benchmarks/extraction/*/ground-truth.json``), 20 sites each in text files of its own
(as 20 crawls would write them), 150-900 words a record, and 1% planted near duplicates (a story
republished by another site with a new headline, a wire footer and up to 5 words changed). Then, each
command in a child process of its own (time is wall time; memory is the child's peak RSS):

1. ``morgue export --format parquet`` of the whole store (once before ``morgue reindex``, then ``--repeat``
   times, medians) against DuckDB (2 threads) converting the same ``.jsonl.gz`` files to zstd Parquet;
2. ``morgue export --dedup near`` over half the sites (half the records: 100,000 at full scale), with
   recall and precision on the planted duplicates it covers;
3. a one-site export: the share of the text bytes read;
4. ``morgue search``: the index built, then the median and worst time of 20 queries on the warm index
   (in process, index update included, as the command does it).

Needs duckdb for the comparison (``pip install duckdb``); skipped with a note when it is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITES = 20
DATA = ROOT.parent / "shared" / "benchmarks" / "extraction"


def sentences(data: Path) -> list[str]:
    pool = []
    for truth in sorted(data.glob("*/ground-truth.json")):
        for page in json.loads(truth.read_text(encoding="utf-8")).values():
            body = page.get("articleBody") or ""
            pool += [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if 6 <= len(s.split()) <= 60]
    if not pool:
        raise SystemExit(f"no article texts under {data}: give --data")
    return pool


def build(store_path: Path, n: int, pool: list[str], spool: Path) -> dict[str, list]:
    """The store; returns the planted duplicates: copy's record ID -> [original's, the copy's site number]."""
    from morgue.corpus import synthetic
    from morgue.store import open_store

    store = open_store(str(store_path))
    rng = random.Random(2026)
    per_site = n // SITES
    planted: dict[str, list] = {}
    originals: list[list[dict]] = [[] for _ in range(SITES)]
    for s in range(SITES):
        records = []
        for i in range(per_site):
            r = synthetic.record(rng, pool, f"site{s:02d}.example", i, words=rng.randrange(150, 900))
            if rng.random() < 0.01 * SITES / (SITES - 1) and originals[s - 1]:
                original = rng.choice(originals[s - 1])  # republished from the previous site
                r = synthetic.near_copy(rng, original, f"site{s:02d}.example", i, edits=rng.randrange(0, 6))
                planted[r["warc_record_id"]] = [original["warc_record_id"], s]
            else:
                originals[s].append(r)
            records.append(r)
        synthetic.write(store, records, spool)
        originals[s] = originals[s][:2000]  # enough to copy from; keeps memory small
        print(f"  site {s + 1}/{SITES} written", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    return planted


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """(seconds, peak RSS in MB, result) of ``cmd`` in a child process of its own."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())
    return seconds, usage.ru_maxrss / 1024, result


def morgue(*args: str) -> list[str]:
    return [sys.executable, "-m", "morgue", *args]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--keep", type=Path, help="build the store here and keep it (reused if it exists)")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the export/DuckDB comparison (medians)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="morgue-corpus-bench-"))
    store = args.keep or work / "archive"
    planted_file = store / ".planted.json"
    if not planted_file.exists():
        t = time.monotonic()
        planted = build(store, args.records, sentences(args.data), work / "spool")
        planted_file.write_text(json.dumps(planted))
        print(f"store: {args.records} records written in {time.monotonic() - t:.0f} s", file=sys.stderr)
    planted = json.loads(planted_file.read_text())
    text_bytes = sum(p.stat().st_size for p in store.glob("text/**/*.jsonl.gz"))
    print(f"store: {args.records:,} records, {SITES} sites, {text_bytes / 1e6:.0f} MB of text files, "
          f"{len(planted)} planted near duplicates")

    # 1. whole-store export: once before the catalogue exists, then against DuckDB, alternating
    fresh = not (store / "catalogue").exists()
    sec, mb, res = measure(morgue("export", "--store", str(store), "--out", str(work / "first"), "--progress", "off"))
    assert res.returncode == 0, res.stderr
    what = "no catalogue yet (every file read twice)" if fresh else "first run"
    print(f"export parquet, {what}: {sec:.1f} s, peak RSS {mb:.0f} MB")
    sec, mb, res = measure(morgue("reindex", "--store", str(store)))
    assert res.returncode == 0, res.stderr
    print(f"reindex: {sec:.1f} s, peak RSS {mb:.0f} MB")
    try:
        import duckdb  # noqa: F401
    except ImportError:
        duck = None
        print("duckdb: not installed, comparison skipped")
    else:
        duck = [sys.executable, "-c", "import duckdb, sys; duckdb.sql(sys.argv[1])",
                (f"SET threads=2; COPY (SELECT * FROM read_json('{store}/text/**/*.jsonl.gz', "
                f"format='newline_delimited', union_by_name=true)) TO '{work}/duck.parquet' "
                "(FORMAT parquet, COMPRESSION zstd)")]
    ours, theirs = [], []
    for r in range(args.repeat):
        ours.append(measure(morgue("export", "--store", str(store), "--out", str(work / f"all{r}"), "--progress",
                                   "off")))
        assert ours[-1][2].returncode == 0, ours[-1][2].stderr
        shutil.rmtree(work / f"all{r}")
        if duck:
            theirs.append(measure(duck))
            assert theirs[-1][2].returncode == 0, theirs[-1][2].stderr
    sec, mb = statistics.median(o[0] for o in ours), max(o[1] for o in ours)
    print(f"export parquet (catalogue): median {sec:.1f} s of {args.repeat}, peak RSS {mb:.0f} MB")
    if theirs:
        sec_d, mb_d = statistics.median(o[0] for o in theirs), max(o[1] for o in theirs)
        print(f"duckdb read_json(jsonl.gz) -> zstd parquet, 2 threads: median {sec_d:.1f} s, peak RSS {mb_d:.0f} MB; "
              f"morgue/duckdb time {sec / sec_d:.2f}")

    # 3. one site of 20
    sec, mb, res = measure(morgue("export", "--store", str(store), "--out", str(work / "one"), "--site",
                                  "site07.example", "--progress", "off"))
    s = json.loads((work / "one" / "_summary.json").read_text())
    print(f"one-site export: {sec:.1f} s, read {s['text_bytes_read'] / s['text_bytes']:.1%} of the text bytes "
          f"({s['text_files_read']} files read, {s['text_files_skipped']} skipped)")

    # 2. near dedup over half the sites
    half = [f for i in range(SITES // 2) for f in ("--site", f"site{i:02d}.example")]
    sec, mb, res = measure(morgue("export", "--store", str(store), "--out", str(work / "near"), "--dedup", "near",
                                  "--progress", "off", *half))
    assert res.returncode == 0, res.stderr
    s = json.loads((work / "near" / "_summary.json").read_text())
    found = {}
    with open(work / "near" / "_dropped.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["reason"] == "near_duplicate":
                found[d["warc_record_id"]] = d["kept_warc_record_id"]
    expected = {k: of for k, (of, site) in planted.items() if site < SITES // 2}  # original at site - 1
    right = sum(expected.get(k) == v for k, v in found.items())
    print(f"export --dedup near over {s['records'] - s['dropped'].get('site', 0):,} records: {sec:.1f} s, "
          f"peak RSS {mb:.0f} MB; {len(found)} near duplicates dropped, {len(expected)} planted; "
          f"recall {right / max(len(expected), 1):.3f}, precision {right / max(len(found), 1):.3f}")

    # 4. search
    from morgue.corpus.search import SearchIndex
    from morgue.store import open_store

    index_path = work / "index.sqlite3"
    t = time.monotonic()
    index = SearchIndex(index_path)
    added = index.update(open_store(str(store)))
    print(f"search index: {added:,} records in {time.monotonic() - t:.0f} s, "
          f"{index_path.stat().st_size / 1e6:.0f} MB")
    pool = sentences(args.data)
    rng = random.Random(5)
    queries = []
    for _ in range(10):
        words = rng.choice(pool).split()
        queries.append('"' + " ".join(re.sub(r"\W", "", w) for w in words[1:4]) + '"')
        queries.append(" ".join(re.sub(r"\W", "", w) for w in rng.sample(words, 2)))
    times = []
    store_obj = open_store(str(store))
    for q in queries:
        t = time.monotonic()
        index.update(store_obj)
        index.search(q)
        times.append((time.monotonic() - t) * 1000)
    print(f"search: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms over {len(queries)} queries "
          "(phrases and word pairs from the pool)")
    slow = [(ms, q) for ms, q in zip(times, queries, strict=True) if ms >= 100]
    for ms, q in sorted(slow, reverse=True):  # BM25 is worked out for every match: common words cost most
        (matches,) = index.db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (q,)).fetchone()
        print(f"  {ms:.0f} ms: {q} ({matches:,} matching records, {matches / added:.0%})")
    index.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
