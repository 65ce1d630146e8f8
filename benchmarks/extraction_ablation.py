"""Switch morgue's extraction rules off one at a time and show what each is worth, per set and split.

Usage: python benchmarks/extraction_ablation.py [--set aeb|dragnet|fundus|dev] [--rules a,b,...] [--jobs N]

The rule-keeping discipline of ``benchmarks/extraction.py``: a rule stays only where it lowers no
development set's held-out split. Each rule is switched off through ``ExtractionSettings`` (a bound
that can never be met), so the code measured is the code shipped. Only the development sets are run:
the evaluation-only sets (readability, cleaneval) must not steer rules.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere
from aeb_metric import corpus_score, score_page
from extraction import DEFAULT_DATA, DEV_SETS, REPO, load_pages, split_of

NEVER = 10**9
#: rule name -> settings that switch it off
RULES: dict[str, dict[str, float | bool]] = {
    "noisy-precision": {"noisy_min_lines": NEVER},
    "readability-fallback": {"fallback_share": 0.0},
    "second-opinion": {"suspect_share": 0.0, "suspect_min_words": 0},
    "second-by-description": {"second_region_share": 0.0},
    "second-fragment": {"second_fragment_ratio": NEVER},
    "second-description-guard": {"second_guard_margin": NEVER},
    "second-model": {"second_model": False},
    "prose-outside-p": {"suspect_run_chars": NEVER},
    "teasers": {"teaser_min_words": NEVER},
    "phrases": {"phrase_line_words": 0},
    "sign-off": {"sign_off_words": -1},
    "comment-cut": {"comments_min_share": NEVER, "comments_early_share": NEVER},
    "form-boxes": {"form_box_chars": -1},
}


def run_one(path: Path, url: str, overrides: dict[str, float | bool]) -> str:
    sys.path.insert(0, str(REPO))
    from morgue.extraction.article import extract
    from morgue.extraction.settings import DEFAULT_SETTINGS

    settings = dataclasses.replace(DEFAULT_SETTINGS, **overrides)
    return extract(gzip.decompress(path.read_bytes()), url, "utf-8", settings=settings)["text"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="dev", choices=(*DEV_SETS, "dev"))
    parser.add_argument("--rules", default=",".join(RULES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    unknown = set(rules) - set(RULES)
    if unknown:
        parser.error(f"unknown rule(s): {', '.join(sorted(unknown))}")
    names = DEV_SETS if args.set == "dev" else (args.set,)
    print(f"{'rule switched off':<24} {'set':<8} {'split':<9} {'F1 with':>8} {'without':>8} {'rule gain':>10}")
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name in names:
            pages = list(load_pages(args.data, name, "all"))

            def texts(overrides: dict[str, float | bool], pages: list = pages) -> list[str]:
                return list(pool.map(run_one, [p.path for p in pages], [p.url for p in pages],
                                     [overrides] * len(pages), chunksize=4))  # fmt: skip

            shipped = texts({})
            for rule in rules:
                without = texts(RULES[rule])
                for split in ("dev", "held-out"):
                    chosen = [i for i, p in enumerate(pages) if split_of(p.id) == split]
                    f_with = corpus_score([score_page(shipped[i], pages[i].truth) for i in chosen]).f1
                    f_without = corpus_score([score_page(without[i], pages[i].truth) for i in chosen]).f1
                    flag = "  <- lowers a held-out split" if split == "held-out" and f_with < f_without else ""
                    print(
                        f"{rule:<24} {name:<8} {split:<9} {f_with:>8.4f} {f_without:>8.4f} "
                        f"{f_with - f_without:>+10.4f}{flag}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
