"""A text record as an export row: the archived fields, plus what the corpus derives from them.

Derived: ``site`` (the URL's host, without ``www.``), ``page_kind`` (``article`` when the
record predates page kinds), ``version`` (1 when it predates versions), ``generation`` (1 for
the crawl's record and one older than re-extraction; see ``morgue.corpus.reextract``), ``story`` (what
versions of one story share: the canonical URL, else the URL), ``text_hash`` (of the
normalised text: what exact deduplication compares) and where the record lives in the
store (``text_key``, ``text_offset``, ``text_length``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import urlsplit

from morgue.text.words import count_words

#: the archived fields that keep the way back to the captured bytes
PROVENANCE = ("warc_key", "warc_filename", "warc_offset", "warc_length", "warc_record_id", "url",
              "fetched_at", "payload_digest", "extractor", "discovered_via")

#: every exported row has exactly these columns, in this order: name -> "str", "int" or "list" (of str)
FIELDS = {
    "url": "str", "canonical_url": "str", "requested_url": "str", "site": "str", "title": "str", "author": "str",
    "published": "str", "published_source": "str", "sitename": "str", "language": "str", "description": "str",
    "tags": "list", "categories": "list", "text": "str", "word_count": "int",
    "page_kind": "str", "version": "int", "supersedes": "str", "story": "str", "text_hash": "str",
    "fetched_at": "str", "discovered_via": "str", "discovered_from": "str", "extractor": "str",
    "generation": "int",
    "warc_key": "str", "warc_filename": "str", "warc_offset": "int", "warc_length": "int",
    "warc_record_id": "str", "payload_digest": "str",
    "text_key": "str", "text_offset": "int", "text_length": "int",
}
COLUMNS = tuple(FIELDS)
_INTS = {n for n, kind in FIELDS.items() if kind == "int"}
_LISTS = {n for n, kind in FIELDS.items() if kind == "list"}

# Typographic twins that differ between two encodings of one story, mapped to ASCII (str.replace is
# many times faster than str.translate with a table over a 3 kB text).
_TWINS = (("\u2018", "'"), ("\u2019", "'"), ("\u201a", "'"), ("\u201b", "'"), ("\u2032", "'"),
          ("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u2033", '"'), ("\u00ab", '"'), ("\u00bb", '"'),
          ("\u2013", "-"), ("\u2014", "-"), ("\u2212", "-"), ("\u2026", "..."))


def normalise(text: str) -> str:
    """Text as exact deduplication compares it: NFKC, ASCII quotes and dashes, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    if not text.isascii():
        for twin, ascii_ in _TWINS:
            text = text.replace(twin, ascii_)
    return " ".join(text.casefold().split())


def text_hash(text: str) -> str:
    return hashlib.blake2b(normalise(text).encode("utf-8", "replace"), digest_size=16).hexdigest()


def site_of(url: str | None) -> str:
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _strings(value) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def row(record: dict, text_key: str, offset: int, length: int, hashed: str | None = None) -> dict:
    """The export row of one text record found at ``offset`` (``length`` bytes) in ``text_key``.

    ``hashed`` is the text's hash when the caller knows it already (from the catalogue): hashing
    is a third of the cost of a row.
    """
    out = {}
    for name in COLUMNS:
        value = record.get(name)
        if name in _INTS:
            value = _int(value)
        elif name in _LISTS:
            value = _strings(value)
        elif isinstance(value, list):
            value = "; ".join(str(v) for v in value if v is not None)
        elif value is not None and not isinstance(value, str):
            value = str(value)
        out[name] = value
    out["site"] = site_of(out["url"])
    out["page_kind"] = out["page_kind"] or "article"
    out["version"] = out["version"] or 1
    out["generation"] = out["generation"] or 1
    out["story"] = out["canonical_url"] or out["url"]
    out["text_hash"] = hashed or text_hash(out["text"] or "")
    if out["word_count"] is None:
        out["word_count"] = count_words(out["text"] or "")
    out["text_key"], out["text_offset"], out["text_length"] = text_key, offset, length
    return out
