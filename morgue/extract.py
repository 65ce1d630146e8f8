"""HTML to an article record via trafilatura plus morgue's own cleaning: pure and picklable.

The contract other modules code against:

- ``extract(body, url="", encoding=None) -> dict`` with the keys ``title, author, published,
  language, sitename, description, tags, categories, canonical_url, image, text, word_count,
  reason``; ``reason`` is None when ``text`` is non-empty, else why not ("empty input",
  "not html", "too large", "no article text found", ...). It never raises on bad input and
  keeps no state between calls, so it can run in a process pool.
- ``extractor_id()`` names the code and settings that made a record.
- ``extract_files(paths, url, out)`` serves ``morgue extract``.
"""

from __future__ import annotations

from functools import cache

import trafilatura

import morgue
from morgue.extraction.article import extract
from morgue.extraction.files import extract_files
from morgue.extraction.settings import settings_hash

#: Bumped whenever the same page would give a different record.
EXTRACTOR_VERSION = "morgue-extract/2"

__all__ = ["EXTRACTOR_VERSION", "extract", "extract_files", "extractor_id"]


@cache
def extractor_id() -> str:
    """'morgue <version>; trafilatura <version>; settings <hash>': stored with each record."""
    return f"morgue {morgue.__version__}; trafilatura {trafilatura.__version__}; settings {settings_hash()}"
