"""Score morgue's extractor against trafilatura and readability-lxml on the extraction sets.

Usage: python benchmarks/extraction.py [--set aeb|dragnet|fundus|all] [--split dev|held-out|all]
       [--extractors morgue,trafilatura,trafilatura-fast,trafilatura-precision,readability] [--jobs N] [--data DIR]

Each page's id is hashed to put it in a fixed split: ``held-out`` pages (30%) are never looked at while
writing rules, so their score shows whether a rule generalises. CPU is process time spent in the
extractor per page (worker processes measure their own time, so ``--jobs`` does not distort it).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere
from aeb_metric import PageScore, bootstrap_f1, corpus_score, score_page

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "extraction"
SETS = ("aeb", "dragnet", "fundus")
HELD_OUT_SHARE = 0.3


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


_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "blockquote",
    "pre",
    "section",
}


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


def load_pages(data: Path, name: str, split: str) -> Iterator[tuple[str, Path, str, str]]:
    """Yield (id, html path, url, ground truth) for one set and split."""
    truth = json.loads((data / name / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        if split != "all" and split_of(page_id) != split:
            continue
        path = data / name / "html" / f"{page_id}.html.gz"
        if path.exists():
            yield (
                page_id,
                path,
                truth[page_id].get("url") or "",
                truth[page_id]["articleBody"],
            )


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


def _warm(names: list[str]) -> None:
    """Import every extractor's modules before timing, so first-page import cost is not counted."""
    for name in names:
        EXTRACTORS[name](b"<html><body><p>warm up</p></body></html>", "")


def extract_all(
    data: Path, name: str, split: str, extractor: str, pool: ProcessPoolExecutor
) -> list[tuple[str, str, PageScore, float]]:
    """Run one extractor over a set; returns (page id, text, score, CPU seconds) per page."""
    pages = list(load_pages(data, name, split))
    futures = [pool.submit(run_one, extractor, path, url) for _, path, url, _ in pages]
    results = []
    for (page_id, _, _, truth), future in zip(pages, futures, strict=True):
        text, seconds = future.result()
        results.append((page_id, text, score_page(text, truth), seconds))
    return results


def table_row(
    name: str,
    split: str,
    extractor: str,
    results: list[tuple[str, str, PageScore, float]],
) -> list[str]:
    scores = [score for _, _, score, _ in results]
    total = corpus_score(scores)
    lo, hi = bootstrap_f1(scores)
    cpu_ms = 1000 * sum(seconds for *_, seconds in results) / max(1, len(results))
    return [name, split, extractor, str(len(results)), f"{total.f1:.3f}", f"{lo:.3f}-{hi:.3f}",
            f"{total.precision:.3f}", f"{total.recall:.3f}", f"{total.accuracy:.3f}", f"{cpu_ms:.1f}"]  # fmt: skip


def _print_row(row: list[str], widths: list[int]) -> None:
    print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="aeb", choices=(*SETS, "all"))
    parser.add_argument("--split", default="all", choices=("dev", "held-out", "all"))
    parser.add_argument("--extractors", default=",".join(EXTRACTORS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    extractors = [e.strip() for e in args.extractors.split(",") if e.strip()]
    unknown = set(extractors) - set(EXTRACTORS)
    if unknown:
        parser.error(f"unknown extractor(s): {', '.join(sorted(unknown))}")
    sys.path.insert(0, str(REPO))
    header = ["set", "split", "extractor", "pages", "F1", "F1 90% CI", "P", "R", "exact", "CPU ms/page"]
    widths = [8, 9, 22, 6, 6, 12, 6, 6, 6, 11]
    _print_row(header, widths)
    splits = ("dev", "held-out", "all") if args.split == "all" else (args.split,)
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=_warm, initargs=(extractors,)) as pool:
        for name in SETS if args.set == "all" else (args.set,):
            results = {e: extract_all(args.data, name, args.split, e, pool) for e in extractors}
            for split in splits:
                for extractor in extractors:
                    chosen = [r for r in results[extractor] if split == "all" or split_of(r[0]) == split]
                    _print_row(table_row(name, split, extractor, chosen), widths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
