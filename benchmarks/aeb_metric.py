"""The article-extraction benchmark's metric (4-gram shingle precision/recall per page).

Kept apart from the runner so tests and other scripts can score text the same way.
Definition: ../shared/benchmarks/extraction/README.md.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles; a text shorter than n gives one shorter shingle."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class PageScore:
    """One page's counts; precision is None when nothing was predicted."""

    tp: int
    fp: int
    fn: int
    exact: bool

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if (self.tp + self.fp) else None

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if (self.tp + self.fn) else 0.0

    @property
    def f1(self) -> float:
        """The page's own F1 (0 when nothing was predicted), for comparing two texts of one page."""
        p, r = self.precision or 0.0, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_page(predicted: str, truth: str) -> PageScore:
    """Score one page's extracted text against its ground truth."""
    pred, gold = shingles(predicted), shingles(truth)
    tp = sum((pred & gold).values())
    exact = _TOKEN.findall(predicted or "") == _TOKEN.findall(truth or "")
    return PageScore(tp, sum(pred.values()) - tp, sum(gold.values()) - tp, exact)


@dataclass(frozen=True)
class CorpusScore:
    precision: float
    recall: float
    f1: float
    accuracy: float


def corpus_score(pages: Sequence[PageScore]) -> CorpusScore:
    """Mean precision over pages with a prediction, mean recall over all pages, F1 of the two."""
    precisions = [p.precision for p in pages if p.precision is not None]
    prec = sum(precisions) / len(precisions) if precisions else 0.0
    rec = sum(p.recall for p in pages) / len(pages) if pages else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    acc = sum(p.exact for p in pages) / len(pages) if pages else 0.0
    return CorpusScore(prec, rec, f1, acc)


def bootstrap_f1(
    pages: Sequence[PageScore], rounds: int = 1000, level: float = 0.90, seed: int = 0
) -> tuple[float, float]:
    """Interval of corpus F1 from resampling pages, so small differences are not over-read."""
    if not pages:
        return (0.0, 0.0)
    rng = random.Random(seed)
    n = len(pages)
    values = sorted(corpus_score([pages[rng.randrange(n)] for _ in range(n)]).f1 for _ in range(rounds))
    lo = values[int((1 - level) / 2 * rounds)]
    hi = values[min(rounds - 1, int((1 + level) / 2 * rounds))]
    return (lo, hi)
