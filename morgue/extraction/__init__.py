"""Article extraction: HTML to an article record via trafilatura plus morgue's own cleaning.

One job per module: ``decode`` (bytes to text), ``prune`` (boilerplate boxes out of the page),
``article`` (the extraction pass and its checks), ``fallback`` (failure check, second extractor),
``chooser`` (which text of a suspect page to keep: hand rules, then a small learned judge),
``blocks`` and ``phrases`` (cleaning inside the article), ``metadata``, ``files`` (the CLI side),
``worker`` (what an extraction worker process runs).

The contract other modules code against:

- ``extract(body, url="", encoding=None) -> dict`` with the keys ``title, author, published,
  language, sitename, description, tags, categories, canonical_url, image, text, word_count,
  reason``; ``reason`` is None when ``text`` is non-empty, else why not ("empty input",
  "not html", "too large", "no article text found", ...). It never raises on bad input and
  keeps no state between calls, so it can run in a process pool.
- ``extractor_id()`` names the code and settings that made a record.
- ``extract_files(paths, url, out)`` serves ``morgue extract``.

Importing this module costs next to nothing: the crawler process names ``extract`` to its
worker processes and writes ``extractor_id()`` into records, and only the workers load
trafilatura and lxml's cleaner (about 35 MB) on their first page.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import IO

import morgue
from morgue.extraction.settings import settings_hash

#: Bumped whenever the same page would give a different record.
EXTRACTOR_VERSION = "morgue-extract/5"

__all__ = ["EXTRACTOR_VERSION", "extract", "extract_files", "extractor_id"]


def extract(body: bytes | str, url: str = "", encoding: str | None = None) -> dict:
    """The article record of one page (see the module's docstring)."""
    from morgue.extraction.article import extract as run

    return run(body, url, encoding)


def extract_files(paths: list[str], url: str | None, out: IO[str]) -> int:
    from morgue.extraction.files import extract_files as run

    return run(paths, url, out)


@cache
def extractor_id() -> str:
    """'morgue <version>; trafilatura <version>; settings <hash>': stored with each record."""
    return f"morgue {morgue.__version__}; trafilatura {version('trafilatura')}; settings {settings_hash()}"
