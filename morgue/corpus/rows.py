"""A text record as an export row: the archived fields, plus what the corpus derives from them.

Derived: ``site`` (the URL's host, without ``www.``), ``page_kind`` (``article`` when the
record predates page kinds), ``version`` (1 when it predates versions), ``story`` (what
versions of one story share: the canonical URL, else the URL), ``text_hash`` (of the
normalised text: what exact deduplication compares) and where the record lives in the
store (``text_key``, ``text_offset``, ``text_length``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

import pyarrow as pa

#: the archived fields that keep the way back to the captured bytes
PROVENANCE = ("warc_key", "warc_filename", "warc_offset", "warc_length", "warc_record_id", "url",
              "fetched_at", "payload_digest", "extractor", "discovered_via")

_S = pa.string()
#: every exported row has exactly these columns, in this order
SCHEMA = pa.schema([
    ("url", _S), ("canonical_url", _S), ("requested_url", _S), ("site", _S), ("title", _S), ("author", _S),
    ("published", _S), ("published_source", _S), ("sitename", _S), ("language", _S), ("description", _S),
    ("tags", pa.list_(_S)), ("categories", pa.list_(_S)), ("text", _S), ("word_count", pa.int64()),
    ("page_kind", _S), ("version", pa.int64()), ("supersedes", _S), ("story", _S), ("text_hash", _S),
    ("fetched_at", _S), ("discovered_via", _S), ("discovered_from", _S), ("extractor", _S),
    ("warc_key", _S), ("warc_filename", _S), ("warc_offset", pa.int64()), ("warc_length", pa.int64()),
    ("warc_record_id", _S), ("payload_digest", _S),
    ("text_key", _S), ("text_offset", pa.int64()), ("text_length", pa.int64()),
])
COLUMNS = tuple(SCHEMA.names)
_INTS = {f.name for f in SCHEMA if pa.types.is_integer(f.type)}
_LISTS = {f.name for f in SCHEMA if pa.types.is_list(f.type)}

# Typographic twins that differ between two encodings of one story, mapped to ASCII.
_TWINS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
                        "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " "})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text as exact deduplication compares it: NFKC, ASCII quotes and dashes, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "").translate(_TWINS).casefold()
    return _SPACE.sub(" ", text).strip()


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


def row(record: dict, text_key: str, offset: int, length: int) -> dict:
    """The export row of one text record found at ``offset`` (``length`` bytes) in ``text_key``."""
    out = {}
    for name in COLUMNS:
        value = record.get(name)
        if name in _INTS:
            value = _int(value)
        elif name in _LISTS:
            value = _strings(value)
        elif value is not None and not isinstance(value, str):
            value = str(value)
        out[name] = value
    out["site"] = site_of(out["url"])
    out["page_kind"] = out["page_kind"] or "article"
    out["version"] = out["version"] or 1
    out["story"] = out["canonical_url"] or out["url"]
    out["text_hash"] = text_hash(out["text"] or "")
    if out["word_count"] is None:
        out["word_count"] = len((out["text"] or "").split())
    out["text_key"], out["text_offset"], out["text_length"] = text_key, offset, length
    return out
