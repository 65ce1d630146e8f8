"""Incremental crawls: what a second run costs, what a correction yields, and how large a site's state is.

Usage::

    python benchmarks/recrawl.py --pages 1500          # the figures in the README (nginx)
    python benchmarks/recrawl.py --pages 300            # a quick look
    python benchmarks/recrawl.py --state-only --articles 100000

Crawl part (needs nginx, as ``benchmarks/crawl.py``): the same local site of real article pages
(nginx, gzip on, a sitemap with ``lastmod``, politeness off) crawled three times into one store:

1. a first, full crawl;
2. nothing changed: it must fetch only the discovery documents (plus conditional requests for
   recent articles: none here, every page is older than ``MORGUE_RECHECK_DAYS``), take at most 25%
   of the first run's wall time, write no text record and at most 5% of the first run's WARC bytes;
3. 1% of the articles changed (new text, a later ``lastmod``): exactly those get new text records.

State part: a synthetic state of ``--articles`` articles is saved into a local store, then loaded
as a crawl loads it; load time and the memory the loaded state holds (tracemalloc) are printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# This file's name is also that of the package Twisted imports its version from: run as a script,
# its folder must not stand first on sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "benchmarks"]
sys.path.insert(0, str(REPO))

POLITENESS_OFF = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s",
                  "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def state_benchmark(articles: int) -> dict:
    from morgue.store.local import LocalStore
    from morgue.store.state import SiteState

    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp))
        state = SiteState("news.example.org")
        for k in range(articles):
            url = f"https://news.example.org/2026/{1 + k % 12:02d}/{1 + k % 28:02d}/a-story-with-a-longish-slug-{k}/"
            state.update(
                url, digest=f"sha1:{k:032d}", record_id=f"<urn:uuid:00000000-0000-4000-8000-{k:012d}>",
                uri=url,  # as it is unless the article redirected
                date="2026-11-25T09:19:02Z", etag=f'"{k:016x}"', last_modified="Wed, 25 Nov 2026 09:19:02 GMT",
                seen="2026-11-25T09:19:02+00:00", published="2026-11-24T08:00:00+00:00",
                text_hash=f"{k:032x}", text_id=f"<urn:uuid:00000000-0000-4000-8000-{k:012d}>", version=1,
            )
        key = state.save(store)
        size = (Path(tmp) / key).stat().st_size
        del state
        tracemalloc.start()
        start = time.perf_counter()
        loaded = SiteState.load(store, "news.example.org")
        seconds = time.perf_counter() - start
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(loaded) == articles
    return {"articles": articles, "snapshot_bytes": size, "load_seconds": round(seconds, 2),
            "held_mb": round(held / 1e6, 1), "peak_mb": round(peak / 1e6, 1)}


def corrected(html: bytes, url: str) -> bytes:
    """The page with one word of its article text changed (a word the extractor keeps, wherever it stands)."""
    import re

    from morgue.extraction import extract

    text = extract(html, url, None).get("text") or ""
    words = sorted(set(re.findall(r"[^\W\d_]{7,}", text)), key=len, reverse=True)
    for word in words:
        raw = word.encode()
        if raw in html:
            return html.replace(raw, b"corrected" + raw[::-1])
    raise SystemExit(f"no word to correct in {url}")


def run(cmd: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


def store_figures(store: Path) -> tuple[int, int]:
    """(WARC bytes, text records) in the store."""
    warc = sum(p.stat().st_size for p in store.glob("warc/*/*/*/*.warc.gz"))
    records = 0
    for p in store.glob("text/*/*/*/*.jsonl.gz"):
        with gzip.open(p, "rt") as f:
            records += sum(1 for _ in f)
    return warc, records


def crawl_benchmark(pages: int, data: Path) -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_crawl", REPO / "benchmarks" / "crawl.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_crawl"] = bench  # dataclasses look their module up
    spec.loader.exec_module(bench)
    build_site, nginx_serving = bench.build_site, bench.nginx_serving
    source_pages, write_discovery = bench.source_pages, bench.write_discovery

    work = Path(tempfile.mkdtemp(prefix="morgue-incremental-"))
    os.chmod(work, 0o755)  # nginx's unprivileged workers read the site
    sources = source_pages(data)
    site, www = build_site(work / "site", data, sources, pages)
    store = work / "store"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("MORGUE_STORE", None)
    out: dict = {"pages": pages}
    with nginx_serving(work / "site", www) as nginx:
        write_discovery(www, nginx.base, site)
        cmd = [sys.executable, "-m", "morgue", "crawl", f"{nginx.base}/", "--store", str(store), *POLITENESS_OFF,
               "-s", "LOG_LEVEL=WARNING"]
        runs = []
        for label in ("first", "unchanged", "one_percent_changed"):
            if label == "one_percent_changed":
                changed = site[:: 100]
                for page in changed:
                    target = www / (page.path.lstrip("/") + ".gz")
                    html = gzip.decompress(target.read_bytes())
                    html = corrected(html, nginx.base + page.path)
                    target.unlink()
                    target.write_bytes(gzip.compress(html))
                sitemap = (www / "sitemap.xml").read_text()
                for page in changed:
                    sitemap = sitemap.replace(f"{page.path}</loc><lastmod>2024-06-01",
                                              f"{page.path}</loc><lastmod>2024-07-01")
                (www / "sitemap.xml").write_text(sitemap)
            offset = nginx.log_size()
            before = store_figures(store) if store.exists() else (0, 0)
            wall, proc = run(cmd, env)
            after = store_figures(store)
            requests = nginx.requests_since(offset)
            statuses: dict[str, int] = {}
            for status, _ in requests:
                statuses[status] = statuses.get(status, 0) + 1
            runs.append({"run": label, "exit": proc.returncode, "wall_s": round(wall, 1), "requests": len(requests),
                         "by_status": statuses, "warc_bytes": after[0] - before[0],
                         "text_records": after[1] - before[1]})
            if proc.returncode:
                print(proc.stderr[-3000:], file=sys.stderr)
        out["runs"] = runs
        out["changed"] = len(site[::100])
    first, second, third = out["runs"]
    out["second_vs_first_wall"] = round(second["wall_s"] / first["wall_s"], 3)
    out["second_vs_first_warc_bytes"] = round(second["warc_bytes"] / max(first["warc_bytes"], 1), 4)
    out["checks"] = {
        "second run <= 25% of first's wall time": out["second_vs_first_wall"] <= 0.25,
        "second run writes no text record": second["text_records"] == 0,
        "second run <= 5% of first's WARC bytes": out["second_vs_first_warc_bytes"] <= 0.05,
        "third run: exactly the changed articles": third["text_records"] == out["changed"],
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1500)
    parser.add_argument("--articles", type=int, default=100_000, help="articles in the synthetic state")
    parser.add_argument("--state-only", action="store_true")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "benchmarks" / "extraction")
    args = parser.parse_args()
    print(json.dumps({"state": state_benchmark(args.articles)}, indent=1))
    if not args.state_only:
        print(json.dumps({"crawl": crawl_benchmark(args.pages, args.data)}, indent=1))


if __name__ == "__main__":
    main()
