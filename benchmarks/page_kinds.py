"""Page kinds: how many content pages a sitemap lists keep their text, and how many listing pages get one.

Content pages: the development sets in ``../shared/benchmarks/extraction/`` (all
content pages: news articles, blog posts, how-to and documentation pages), each
classified as if a sitemap had listed it under its ``url`` (a neutral URL where
the set gives none). Listing pages: the home, section, tag and pagination pages
the local test site's variants generate (no sockets: the router answers directly).

Prints, per set, the recall on content pages (share that gets a text record:
not classed ``listing``; aim >= 98%), the share classed ``article`` (what a page
found by a link needs), the listing pages wrongly given text (aim 0), and the
cost per page. Usage: ``python3 benchmarks/page_kinds.py [--data DIR] [--sets a,b]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from morgue.discovery.pages import classify, wants_text
from morgue.testsite.routes import Router

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "extraction"
#: the development sets (aeb/ is kept for the extraction benchmark's final figures)
DEV_SETS = ("dragnet", "fundus", "readability", "cleaneval")
BASE = "http://127.0.0.1:8000/"
#: listing pages of the test site's variants, by variant
LISTINGS = {
    "normal": ["/", "/politics/", "/science/", "/culture/", "/tag/climate/"],
    "links-only": ["/", "/category/world/", "/category/world/page/2/", "/category/business/?page=2",
                   "/category/sport/", "/category/sport/page/3/", "/tag/ukraine/"],
    "listing-trap": ["/", "/category/local/", "/category/local/?page=5", "/2026/11/"],
    "generic-sitemap": ["/", "/category/news/", "/tag/harbour/"],
}


def content_pages(data: Path, sets: list[str]):
    for name in sets:
        folder = data / name
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id, info in truth.items():
            path = folder / "html" / f"{page_id}.html.gz"
            if path.exists():
                url = info.get("url") or f"https://pages.example/{name}/{page_id}"
                yield name, url, gzip.decompress(path.read_bytes())


def listing_pages():
    for variant, paths in LISTINGS.items():
        router = Router(variant, BASE)
        for path in paths:
            reply = router.reply("GET", path, {})
            if reply.status == 200:
                yield variant, BASE.rstrip("/") + path, reply.body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sets", default=",".join(DEV_SETS))
    args = parser.parse_args()
    kinds: dict[str, Counter[str]] = {}
    missed: list[str] = []
    spent, count = 0.0, 0
    front = 0  # content pages at a site's root: a blog's front page is a listing by any rule
    for name, url, body in content_pages(args.data, args.sets.split(",")):
        start = time.perf_counter()
        kind = classify(body, url)
        spent += time.perf_counter() - start
        count += 1
        kinds.setdefault(name, Counter())[kind] += 1
        if not wants_text(kind, "sitemap"):
            missed.append(f"{name}: {url}")
            if urlsplit(url).path in ("", "/") and not urlsplit(url).query:
                front += 1
    print(f"{'set':<12} {'pages':>6} {'text (recall)':>14} {'article':>8} {'other':>6} {'listing':>8}")
    total = Counter()
    for name, counter in kinds.items():
        n = sum(counter.values())
        total.update(counter)
        print(f"{name:<12} {n:>6} {1 - counter['listing'] / n:>14.1%} {counter['article'] / n:>8.1%} "
              f"{counter['other']:>6} {counter['listing']:>8}")
    n = sum(total.values())
    if n:
        print(f"{'all':<12} {n:>6} {1 - total['listing'] / n:>14.1%} {total['article'] / n:>8.1%} "
              f"{total['other']:>6} {total['listing']:>8}")
        print(f"of the content pages given no text, {front} are a site's front page (a blog's home)")
        print(f"classification: {spent / count * 1000:.2f} ms a page")
    wrong = [f"{variant}: {url}" for variant, url, body in listing_pages()
             if wants_text(classify(body, url, BASE), "sitemap")]
    listings = sum(1 for _ in listing_pages())
    print(f"listing pages: {listings}, wrongly given text: {len(wrong)}")
    for line in missed[:20] + wrong:
        print("  ", line)


if __name__ == "__main__":
    main()
