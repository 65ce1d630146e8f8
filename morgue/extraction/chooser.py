"""Which text of a suspect page to keep: the first pass or trafilatura's default output (the second opinion).

Hand rules settle the clear cases: a second opinion replaces a first pass that had next to nothing, or
that is a small part of it (a fragment of the article), or that covers another region of the page where
the page's own description (its standfirst, as the publisher wrote it) is clearly in the second only; it
never replaces a first pass that holds the description clearly better.

For the rest, a small learned judge. The two texts often overlap: trafilatura's default output holds the first pass and
more. Whether the "more" is the rest of the article (text the first pass lost) or captions, reprint
notices and link lists is what the development sets disagree on when judged by length alone, so the
call is made by a logistic regression over features of both texts and of what the second adds. It is
trained on the development splits of AEB, Dragnet and Fundus only, by ``benchmarks/train_chooser.py``,
which also checks it fold by fold (fit on two sets, test on the third); the weights ship in
``chooser.json`` next to this module (a few hundred bytes, read once, no network).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from morgue.extraction.blocks import repeats_link
from morgue.extraction.fallback import covers, described, shared
from morgue.extraction.settings import ExtractionSettings
from morgue.text.words import count_words

#: The features, in the order the model's weights use them.
FEATURES = (
    "log_length_ratio",  # log of second's length over first's
    "first_in_second",  # share of the first's 4-word runs the second also has
    "second_in_first",
    "added_share",  # share of the second's characters in lines the first lacks
    "added_words_per_line",  # log(1 + mean words per added line)
    "added_link_lines",  # share of added lines that are the text of a link on the page
    "added_sentence_lines",  # share of added lines ending like a sentence
    "added_long_lines",  # share of added lines of 15 words or more
    "first_words",  # log(1 + words of the first)
    "first_of_page",  # first's length over the page's prose, at most 2
    "second_of_page",
    "description_gain",  # description words the second covers beyond the first (0 without one)
    "second_short_lines",  # share of the second's lines of 3 words or fewer
)
_SENTENCE_END = tuple(".!?:;\"'\u201d\u00bb\u300d)")


@dataclass(frozen=True)
class Evidence:
    """What the page itself says, to judge the two texts by."""

    description: str | None = None
    #: characters of the page's prose (``fallback.paragraph_chars`` or ``fallback.text_chars``, the larger)
    page_chars: int = 0
    #: normalised texts of the page's links (``blocks.anchor_texts``)
    links: AbstractSet[str] = frozenset()


def prefer_second(first: str, second: str, page: Evidence, settings: ExtractionSettings) -> bool:
    """Keep the second opinion only where the page supports it better than the first."""
    if not second:
        return False
    words = count_words(first)
    if words < settings.second_min_words:
        return count_words(second) > words
    if len(second) >= settings.second_fragment_ratio * len(first) and covers(second, first):
        return True  # the first pass kept a fragment of the article the second found
    if page.description:
        margin = described(second, page.description) - described(first, page.description)
        if margin > settings.second_description_margin and shared(first, second) < settings.second_region_share:
            return True
        if -margin > settings.second_guard_margin:
            return False  # the page's own description is in the first, not the second
    if not settings.second_model:
        return False
    return prefers_second(features(first, second, page))


def features(first: str, second: str, page: Evidence) -> list[float]:
    """The model's inputs for one page (``FEATURES``), from both cleaned texts and what the page offers."""
    description = page.description
    known = set(first.split("\n"))
    lines = [line for line in second.split("\n") if line]
    added = [line for line in lines if line not in known]
    words = [count_words(line) for line in added]
    page_chars = max(page.page_chars, 1)
    return [
        math.log((len(second) + 1) / (len(first) + 1)),
        shared(first, second) if first else 0.0,
        shared(second, first) if second else 0.0,
        sum(len(line) for line in added) / max(len(second), 1),
        math.log1p(sum(words) / len(words)) if words else 0.0,
        _share(added, lambda line: repeats_link(line, page.links)),
        _share(added, lambda line: line.endswith(_SENTENCE_END)),
        _share(added, lambda line: count_words(line) >= 15),
        math.log1p(count_words(first)),
        min(2.0, len(first) / page_chars),
        min(2.0, len(second) / page_chars),
        described(second, description) - described(first, description) if description else 0.0,
        _share(lines, lambda line: count_words(line) <= 3),
    ]


def prefers_second(values: list[float], model: dict | None = None) -> bool:
    """The model's call (the shipped one unless given): the second opinion is the better text of this page."""
    model = model or load_model()
    z = model["bias"] + sum(
        w * (v - m) / s for w, v, m, s in zip(model["weights"], values, model["mean"], model["scale"], strict=True)
    )
    return z > 0.0  # probability above one half


@cache
def load_model() -> dict:
    """The shipped weights; a model trained for other features is refused, not misread."""
    model = json.loads(files(__package__).joinpath("chooser.json").read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError("morgue/extraction/chooser.json is for other features: run benchmarks/train_chooser.py")
    return model


def _share(lines: list[str], test: Callable[[str], bool]) -> float:
    return sum(1 for line in lines if test(line)) / len(lines) if lines else 0.0
