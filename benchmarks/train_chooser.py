"""Train the judge between the first pass and the second opinion (morgue/extraction/chooser.json).

Usage: python benchmarks/train_chooser.py [--jobs N] [--data DIR] [--l2 X] [--check]

Only the development splits of the development sets (AEB, Dragnet, Fundus) are read: held-out splits and
the evaluation-only sets never reach the model. For every page whose first pass is suspect, the page's
trace (``morgue.extraction.article.explain``) gives both cleaned texts and the chooser's features; the
label is which text scores the higher F1 against the truth (AEB's metric), weighted by how much higher.
The model is a logistic regression (L2-penalised, fitted by Newton's method with numpy).

Before writing the model it is checked fold by fold: fitted on two sets, applied to the third, the
table shows the F1 gain over always keeping the first pass, next to the best choice possible.
``--check`` prints the folds and writes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere
from aeb_metric import score_page
from extraction import DEFAULT_DATA, DEV_SETS, REPO, load_pages

MODEL = REPO / "morgue" / "extraction" / "chooser.json"


def trace_one(path: Path, url: str, truth: str) -> dict | None:
    """The suspect page's features and both texts' F1 (None when the first pass was not suspect)."""
    sys.path.insert(0, str(REPO))
    from morgue.extraction.article import explain
    from morgue.extraction.settings import DEFAULT_SETTINGS

    settings = dataclasses.replace(DEFAULT_SETTINGS, second_model=False)  # the model being trained is not used
    trace = explain(gzip.decompress(path.read_bytes()), url, "utf-8", settings=settings)
    if "features" not in trace:
        return None
    return {
        "x": trace["features"],
        "first": score_page(trace["first"], truth).f1,
        "second": score_page(trace["second"], truth).f1,
    }


def fit(rows: list[dict], l2: float) -> dict:
    """Weighted logistic regression on standardised features; weights are the F1 at stake per page."""
    x = np.array([r["x"] for r in rows], dtype=float)
    y = np.array([1.0 if r["second"] > r["first"] else 0.0 for r in rows])
    w = np.array([abs(r["second"] - r["first"]) for r in rows]) + 1e-3
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    penalty = l2 * np.diag(np.r_[np.ones(x.shape[1]), 0.0])  # the bias is not penalised
    beta = np.zeros(z.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (w * (p - y)) + penalty @ beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return {"mean": mean.tolist(), "scale": scale.tolist(), "weights": beta[:-1].tolist(), "bias": float(beta[-1])}


def gains(model: dict, rows: list[dict]) -> tuple[float, float]:
    """Mean page F1 gain over always keeping the first pass: the model's, and the best choice's."""
    if not rows:
        return 0.0, 0.0
    from morgue.extraction.chooser import prefers_second

    chosen = sum((r["second"] if prefers_second(r["x"], model) else r["first"]) - r["first"] for r in rows)
    best = sum(max(r["first"], r["second"]) - r["first"] for r in rows)
    return chosen / len(rows), best / len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--check", action="store_true", help="print the folds, write nothing")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from morgue.extraction.chooser import FEATURES

    rows: dict[str, list[dict]] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name in DEV_SETS:
            pages = list(load_pages(args.data, name, "dev"))
            traced = pool.map(trace_one, [p.path for p in pages], [p.url for p in pages], [p.truth for p in pages])
            rows[name] = [r for r in traced if r is not None]
            print(f"{name}: {len(pages)} dev pages, {len(rows[name])} suspect", flush=True)
    print(f"\n{'fold: fit on the others, test on':<34} {'pages':>6} {'gain':>8} {'best':>8}")
    for held in DEV_SETS:
        model = fit([r for name in DEV_SETS if name != held for r in rows[name]], args.l2)
        gain, best = gains(model, rows[held])
        print(f"{held:<34} {len(rows[held]):>6} {gain:>+8.4f} {best:>+8.4f}")
    everything = [r for name in DEV_SETS for r in rows[name]]
    model = fit(everything, args.l2)
    gain, best = gains(model, everything)
    print(f"{'all three (training fit)':<34} {len(everything):>6} {gain:>+8.4f} {best:>+8.4f}")
    print("\nweights (standardised features):")
    for name, weight in sorted(zip(FEATURES, model["weights"], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:<24} {weight:+.3f}")
    if args.check:
        return 0
    document = {
        "features": list(FEATURES),
        **{key: _rounded(value) for key, value in model.items()},
        "trained_on": {name: len(rows[name]) for name in DEV_SETS},
        "split": "dev",
        "l2": args.l2,
        "trafilatura": version("trafilatura"),
    }
    MODEL.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {MODEL.relative_to(REPO)}")
    return 0


def _rounded(value: float | list[float]) -> float | list[float]:
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}") if math.isfinite(value) else value


if __name__ == "__main__":
    sys.exit(main())
