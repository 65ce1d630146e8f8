"""The extraction settings: fixed defaults whose hash goes into every record's extractor id.

A change here changes output, so ``settings_hash()`` lets a reader of old records tell which
settings produced them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json


@dataclasses.dataclass(frozen=True)
class ExtractionSettings:
    """Bounds and thresholds of one extraction run (see ``morgue.extraction.article``)."""

    #: Bodies above this many bytes are not extracted ("too large"): bounds CPU and memory per page.
    max_input_bytes: int = 5_000_000
    #: Elements beyond this many in the parsed tree are not extracted ("too complex").
    max_elements: int = 100_000
    #: The first pass counts as failed when its text is shorter than this share of the page's
    #: paragraph text; only then is the second extractor run.
    fallback_share: float = 0.5
    #: The second extractor's text replaces the first only when this many times longer.
    fallback_gain: float = 1.5
    #: Paragraph text (characters) a page needs before the failure check applies at all.
    fallback_min_chars: int = 400
    #: Lines of at most this many words are candidates for the short link-dense line filter.
    short_line_words: int = 12
    #: Lines of at most this many words are candidates for the stock-phrase filter.
    phrase_line_words: int = 25


DEFAULT_SETTINGS = ExtractionSettings()


def settings_hash(settings: ExtractionSettings = DEFAULT_SETTINGS) -> str:
    """8 hex digits identifying the settings, stable across runs and machines."""
    blob = json.dumps(dataclasses.asdict(settings), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:8]
