"""Score morgue's extractor against trafilatura (default, fast, favor_precision) on the extraction sets.

Usage: python benchmarks/extraction.py [--set aeb|dragnet|fundus|readability|cleaneval|dev|all]
       [--split dev|held-out|all] [--extractors morgue,trafilatura,...] [--jobs N] [--data DIR]
       [--cache DIR] [--dump FILE]

Sets: aeb, dragnet and fundus are the development sets; readability and cleaneval are evaluation-only
(nothing is tuned on them; CleanEval may not be copied into the project). ``--set dev`` runs the three
development sets, ``--set all`` all five. Each page's id is hashed into a fixed split: ``held-out`` pages
(30%) are never looked at while writing rules, so their score shows whether a rule generalises.

For each set and split the table gives every extractor's F1 (with a 90% page-bootstrap interval), P, R,
exact matches, empty outputs and CPU ms per page, then morgue against each trafilatura mode: the F1
difference with its paired bootstrap interval, the pages where morgue's page F1 is lower by 0.2 or more
(with their ids), and the pages morgue left empty where that mode found the article (page recall >= 0.5).

CPU is process time spent in the extractor per page (worker processes measure their own time, so
``--jobs`` does not distort it; other load on the machine still does, so compare figures of one run).
``--cache DIR`` keeps the reference extractors' outputs and CPU times on disk (keyed by trafilatura's
version), so that iterating on morgue re-runs morgue only; the CPU ratios are then across runs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere
from aeb_metric import PageScore, bootstrap_f1, corpus_score, score_page

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "extraction"
DEV_SETS = ("aeb", "dragnet", "fundus")
EVAL_SETS = ("readability", "cleaneval")  # evaluation only: never tune on these
SETS = DEV_SETS + EVAL_SETS
HELD_OUT_SHARE = 0.3
WORSE_BY = 0.2
REFERENCES = ("trafilatura", "trafilatura-fast", "trafilatura-precision")


def split_of(page_id: str) -> str:
    """Fixed split by the sha256 of the page id: the same page always lands in the same split."""
    bucket = int(hashlib.sha256(page_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "held-out" if bucket < HELD_OUT_SHARE else "dev"


def _morgue(html: bytes, url: str) -> str:
    from morgue.extraction import extract

    return extract(html, url=url, encoding="utf-8")["text"]


def _trafilatura(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html.decode("utf-8", "replace"), url=url or None, include_comments=False) or ""


def _trafilatura_fast(html: bytes, url: str) -> str:
    """The cost reference of the performance budget: fast mode with metadata, as a crawl would run it.

    The metadata header ("---" ... "---") trafilatura puts before the text is not scored.
    """
    import trafilatura

    text = html.decode("utf-8", "replace")
    out = trafilatura.extract(text, url=url or None, include_comments=False, fast=True, with_metadata=True) or ""
    if out.startswith("---\n"):
        _, _, out = out[4:].partition("\n---\n")
    return out


def _trafilatura_precision(html: bytes, url: str) -> str:
    import trafilatura

    text = html.decode("utf-8", "replace")
    return trafilatura.extract(text, url=url or None, include_comments=False, favor_precision=True) or ""


_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "section"}


def _readability(html: bytes, url: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(html.decode("utf-8", "replace"), url=url or None).summary(html_partial=True)
    tree = lxml.html.fromstring(summary)
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "morgue": _morgue,
    "trafilatura": _trafilatura,
    "trafilatura-fast": _trafilatura_fast,
    "trafilatura-precision": _trafilatura_precision,
    "readability": _readability,
}
DEFAULT_EXTRACTORS = ("morgue", *REFERENCES)


@dataclass(frozen=True)
class Page:
    set: str
    id: str
    path: Path
    url: str
    truth: str


@dataclass(frozen=True)
class Result:
    page: Page
    text: str
    score: PageScore
    seconds: float

    @property
    def f1(self) -> float:
        return self.score.f1


def load_pages(data: Path, name: str, split: str) -> Iterator[Page]:
    """The pages of one set and split."""
    truth = json.loads((data / name / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        if split != "all" and split_of(page_id) != split:
            continue
        path = data / name / "html" / f"{page_id}.html.gz"
        if path.exists():
            yield Page(name, page_id, path, truth[page_id].get("url") or "", truth[page_id]["articleBody"])


def run_one(extractor: str, path: Path, url: str) -> tuple[str, float]:
    """Extract one page in a worker; returns (text, CPU seconds)."""
    html = gzip.decompress(path.read_bytes())
    fn = EXTRACTORS[extractor]
    start = time.process_time()
    try:
        text = fn(html, url)
    except Exception as exc:  # noqa: BLE001 -- a crash scores as an empty prediction, and is reported
        print(f"{extractor} failed on {path.name}: {exc!r}", file=sys.stderr)
        text = ""
    return text, time.process_time() - start


def _warm(names: list[str], samples: list[Path]) -> None:
    """Run every extractor on a few pages of the set before timing, so one-time costs of a worker
    (imports, regular expressions compiled on first use, trafilatura's jusText stop lists: 0.2 s built
    on the first page that falls back to jusText) are not charged to the pages that happen to come first."""
    from trafilatura import external

    if external.JT_STOPLIST is None:
        external.jt_stoplist_init()
    for name in names:
        for path in samples:
            EXTRACTORS[name](gzip.decompress(path.read_bytes()), "")


class Cache:
    """Reference extractors' (text, CPU seconds) per page, on disk; morgue itself is never cached."""

    def __init__(self, root: Path | None) -> None:
        self.root = root / f"trafilatura-{version('trafilatura')}" if root else None

    def _file(self, extractor: str, page: Page) -> Path | None:
        if self.root is None or extractor == "morgue":
            return None
        return self.root / extractor / page.set / f"{page.id}.json"

    def get(self, extractor: str, page: Page) -> tuple[str, float] | None:
        path = self._file(extractor, page)
        if path is None or not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["text"], data["seconds"]

    def put(self, extractor: str, page: Page, text: str, seconds: float) -> None:
        path = self._file(extractor, page)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"text": text, "seconds": seconds}), encoding="utf-8")


def extract_all(pages: list[Page], extractor: str, jobs: int, cache: Cache) -> list[Result]:
    """Run one extractor over pages (cached outputs reused) in a pool of fresh workers of its own.

    Fresh workers per extractor: trafilatura's caches, warmed by another extractor's run over the same
    pages (morgue calls trafilatura too), would otherwise lower its CPU time.
    """
    got = {page.id: cache.get(extractor, page) for page in pages}
    todo = [page for page in pages if got[page.id] is None]
    if todo:
        warm = ([extractor], [page.path for page in pages[:3]])
        with ProcessPoolExecutor(max_workers=jobs, initializer=_warm, initargs=warm) as pool:
            futures = {page.id: pool.submit(run_one, extractor, page.path, page.url) for page in todo}
            for page in todo:
                got[page.id] = futures[page.id].result()
                cache.put(extractor, page, *got[page.id])
    results = []
    for page in pages:
        text, seconds = got[page.id]
        results.append(Result(page, text, score_page(text, page.truth), seconds))
    return results


def cpu_ms(results: list[Result]) -> float:
    return 1000 * sum(r.seconds for r in results) / max(1, len(results))


def table_row(name: str, split: str, extractor: str, results: list[Result]) -> list[str]:
    scores = [r.score for r in results]
    total = corpus_score(scores)
    lo, hi = bootstrap_f1(scores)
    empty = sum(1 for r in results if not r.text.strip())
    return [name, split, extractor, str(len(results)), f"{total.f1:.3f}", f"{lo:.3f}-{hi:.3f}",
            f"{total.precision:.3f}", f"{total.recall:.3f}", f"{total.accuracy:.3f}", str(empty),
            f"{cpu_ms(results):.1f}"]  # fmt: skip


def bootstrap_difference(
    ours: list[PageScore], theirs: list[PageScore], rounds: int = 1000, level: float = 0.90, seed: int = 0
) -> tuple[float, float]:
    """Interval of corpus F1(ours) - F1(theirs), resampling the same pages for both."""
    if not ours:
        return (0.0, 0.0)
    rng = random.Random(seed)
    n = len(ours)
    values = []
    for _ in range(rounds):
        picks = [rng.randrange(n) for _ in range(n)]
        values.append(corpus_score([ours[i] for i in picks]).f1 - corpus_score([theirs[i] for i in picks]).f1)
    values.sort()
    return values[int((1 - level) / 2 * rounds)], values[min(rounds - 1, int((1 + level) / 2 * rounds))]


def compare(ours: list[Result], theirs: list[Result]) -> dict:
    """morgue against one reference on the same pages."""
    a, b = [r.score for r in ours], [r.score for r in theirs]
    lo, hi = bootstrap_difference(a, b)
    worse = [o.page.id for o, t in zip(ours, theirs, strict=True) if o.f1 <= t.f1 - WORSE_BY]
    emptied = [o.page.id for o, t in zip(ours, theirs, strict=True) if not o.text.strip() and t.score.recall >= 0.5]
    return {
        "delta": corpus_score(a).f1 - corpus_score(b).f1, "lo": lo, "hi": hi, "worse": worse, "emptied": emptied,
        "cpu_ratio": cpu_ms(ours) / max(1e-9, cpu_ms(theirs)),
    }  # fmt: skip


def _print_row(row: list[str], widths: list[int]) -> None:
    print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="aeb", choices=(*SETS, "dev", "all"))
    parser.add_argument("--split", default="all", choices=("dev", "held-out", "all"))
    parser.add_argument("--extractors", default=",".join(DEFAULT_EXTRACTORS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, help="keep the reference extractors' outputs in this folder")
    parser.add_argument("--dump", type=Path, help="write every page's texts and scores here (JSON lines)")
    args = parser.parse_args(argv)
    extractors = [e.strip() for e in args.extractors.split(",") if e.strip()]
    unknown = set(extractors) - set(EXTRACTORS)
    if unknown:
        parser.error(f"unknown extractor(s): {', '.join(sorted(unknown))}")
    sys.path.insert(0, str(REPO))
    cache = Cache(args.cache)
    names = {"all": SETS, "dev": DEV_SETS}.get(args.set, (args.set,))
    splits = ("dev", "held-out", "all") if args.split == "all" else (args.split,)
    header = ["set", "split", "extractor", "pages", "F1", "F1 90% CI", "P", "R", "exact", "empty", "CPU ms/page"]
    widths = [11, 9, 22, 6, 6, 12, 6, 6, 6, 6, 11]
    comparisons: list[str] = []
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    _print_row(header, widths)
    for name in names:
        pages = list(load_pages(args.data, name, args.split))
        results = {extractor: extract_all(pages, extractor, args.jobs, cache) for extractor in extractors}
        if dump:
            for i, page in enumerate(pages):
                row = {"set": name, "id": page.id, "split": split_of(page.id)}
                for e in extractors:
                    r = results[e][i]
                    row[e] = {"f1": r.f1, "p": r.score.precision, "r": r.score.recall, "ms": 1000 * r.seconds}
                dump.write(json.dumps(row) + "\n")
        for split in splits:
            chosen = {e: [r for r in results[e] if split == "all" or split_of(r.page.id) == split] for e in extractors}
            for extractor in extractors:
                _print_row(table_row(name, split, extractor, chosen[extractor]), widths)
            if "morgue" not in chosen:
                continue
            for ref in (e for e in extractors if e != "morgue"):
                c = compare(chosen["morgue"], chosen[ref])
                comparisons.append(
                    f"{name:<11} {split:<9} morgue - {ref:<22} dF1 {c['delta']:+.3f} ({c['lo']:+.3f} to "
                    f"{c['hi']:+.3f})  CPU x{c['cpu_ratio']:.2f}  worse by >={WORSE_BY}: {len(c['worse'])}"
                    f"  emptied: {len(c['emptied'])}"
                )
                if ref == "trafilatura" and split != "all" and (c["worse"] or c["emptied"]):
                    comparisons.append(f"    worse: {' '.join(c['worse']) or '-'}")
                    comparisons.append(f"    emptied: {' '.join(c['emptied']) or '-'}")
    if dump:
        dump.close()
    print()
    print("\n".join(comparisons))
    return 0


if __name__ == "__main__":
    sys.exit(main())
