"""The extraction settings: fixed defaults whose hash goes into every record's extractor id.

A change here (or in the chooser's weights) changes output, so ``settings_hash()`` lets a reader of
old records tell which settings produced them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib.resources import files


@dataclasses.dataclass(frozen=True)
class ExtractionSettings:
    """Bounds and thresholds of one extraction run (see ``morgue.extraction.article``)."""

    #: Bodies above this many bytes are not extracted ("too large"): bounds CPU and memory per page.
    max_input_bytes: int = 5_000_000
    #: Elements beyond this many in the parsed tree are not extracted ("too complex").
    max_elements: int = 100_000
    #: The first pass counts as noisy when it has at least ``noisy_min_lines`` lines and at least
    #: ``noisy_short_share`` of them have ``noisy_short_words`` words or fewer; only then is
    #: trafilatura's precision mode run, and kept when it is a smaller part of the same text.
    noisy_min_lines: int = 20
    noisy_short_words: int = 3
    noisy_short_share: float = 0.5
    #: The first pass counts as truncated when shorter than ``fallback_share`` of the page's paragraph
    #: text (of at least ``fallback_min_chars``); only then is readability run, and its text replaces the
    #: first pass when ``fallback_gain`` times longer, a superset of it, and prose: fewer than
    #: ``fallback_short_share`` of its lines of ``fallback_short_words`` words or fewer.
    fallback_share: float = 0.5
    fallback_min_chars: int = 400
    fallback_gain: float = 1.5
    fallback_short_words: int = 5
    fallback_short_share: float = 0.1
    #: The cleaned first pass is suspect when it has fewer than ``suspect_min_words`` words or is
    #: shorter than ``suspect_share`` of the page's prose: its paragraph text, or its runs of text of
    #: at least ``suspect_run_chars`` outside links, whichever is more (pages without <p>). Only then
    #: is trafilatura's default mode run on the unpruned page, as a second opinion.
    suspect_share: float = 0.5
    suspect_min_words: int = 50
    suspect_run_chars: int = 40
    #: The second opinion replaces a first pass of fewer than this many words when it is longer ...
    second_min_words: int = 25
    #: ... or when it is at least this many times as long and holds it (the first kept a fragment) ...
    second_fragment_ratio: float = 5.0
    #: ... or when the two share less than this (4-word runs of the first) and the page's
    #: description is better covered by the second, by at least this share of its words ...
    second_region_share: float = 0.3
    second_description_margin: float = 0.2
    #: ... but never when the first covers the description better by more than this share of its words ...
    second_guard_margin: float = 0.2
    #: ... and otherwise when the learned judge says so (``morgue.extraction.chooser``); False: never.
    second_model: bool = True
    #: Teasers: lines at the start or end of the text that are the text of a link of at least this
    #: many words elsewhere on the page (or list items led by one) ...
    teaser_min_words: int = 3
    #: ... removed only while they are at most this share of the text (else: a link round-up post).
    teaser_max_share: float = 0.35
    #: A box with a form asking for an e-mail address, a password or a comment goes with its heading and
    #: blurb while it has at most this many characters of text (newsletter, login and comment boxes).
    form_box_chars: int = 500
    #: A reader-comment heading ("3 Comments", "Leave a Reply") past this share of the text ends it ...
    comments_min_share: float = 0.7
    #: ... and so does one past this share, when it names the story or comment signatures follow it.
    comments_early_share: float = 0.1
    #: Lines of at most this many words are candidates for the stock-phrase filter.
    phrase_line_words: int = 25
    #: Closing lines of at most this many words go when they ask to follow the author ("Follow her on X").
    sign_off_words: int = 40


DEFAULT_SETTINGS = ExtractionSettings()


def settings_hash(settings: ExtractionSettings = DEFAULT_SETTINGS) -> str:
    """8 hex digits identifying the settings and the chooser's shipped weights, stable across runs and machines."""
    blob = json.dumps(dataclasses.asdict(settings), sort_keys=True).encode()
    weights = files("morgue.extraction").joinpath("chooser.json").read_bytes()  # retraining changes output too
    return hashlib.sha256(blob + weights).hexdigest()[:8]
