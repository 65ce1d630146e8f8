"""The catalogue entries of one text file, made without pyarrow: what the upload path runs.

``catalogue/YYYY/MM/DD/<name>.jsonl.gz`` mirrors ``text/YYYY/MM/DD/<name>.jsonl.gz``: one JSON
line per record with the fields filters and versions need, the normalised text's hash, and
where the record lives in its text file. Only the standard library and morgue's own row code
are imported here, so the crawler can make a text file's entries as the file closes without
loading pyarrow (80 MB) into the crawler process.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from morgue.corpus.records import TEXT_PREFIX, TEXT_SUFFIX, TornFile, iter_members, parse
from morgue.corpus.rows import row

if TYPE_CHECKING:
    from morgue.store import Store

logger = logging.getLogger(__name__)

PREFIX = "catalogue/"
SUFFIX = ".jsonl.gz"
#: an entry's fields ("int" or "str")
FIELDS = {
    "url": "str", "story": "str", "site": "str", "title": "str", "published": "str", "fetched_at": "str",
    "language": "str", "page_kind": "str", "word_count": "int", "version": "int", "generation": "int",
    "text_hash": "str", "warc_record_id": "str",
    "text_key": "str", "text_offset": "int", "text_length": "int",
}


def catalogue_key(text_key: str) -> str:
    """``text/Y/M/D/<name>.jsonl.gz`` -> ``catalogue/Y/M/D/<name>.jsonl.gz``."""
    if not (text_key.startswith(TEXT_PREFIX) and text_key.endswith(TEXT_SUFFIX)):
        raise ValueError(f"not a text file key: {text_key!r}")
    return PREFIX + text_key[len(TEXT_PREFIX):]


def text_key_of(key: str) -> str:
    return TEXT_PREFIX + key[len(PREFIX):]


def entries(stream: BinaryIO, text_key: str) -> Iterator[dict]:
    """The catalogue entries of one text file; a record that is not JSON is skipped with a warning."""
    try:
        for member in iter_members(stream):
            try:
                r = row(parse(member), text_key, member.offset, member.length)
            except (ValueError, TypeError) as e:
                logger.warning("Skipping a bad record at byte %d of %s: %s", member.offset, text_key, e)
                continue
            yield {name: r[name] for name in FIELDS}
    except (TornFile, zlib.error) as e:
        logger.warning("Text file %s is cut short: %s", text_key, e)


def write_entries(rows: Iterable[dict], path: Path) -> int:
    """Write ``rows`` as gzipped JSON lines; returns how many."""
    n = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
            n += 1
    return n


def catalogue_file(path: Path, text_key: str | None = None) -> Path:
    """Make the catalogue entries of the finished text file ``path``, beside it; returns their path.

    The file is named ``.<name>.catalogue.jsonl.gz``: hidden, so the spool never takes it
    for an archive file to upload under its own name.
    """
    from morgue.store.names import key_for

    text_key = text_key or key_for(path.name)
    out = path.with_name(f".{path.name}.catalogue{SUFFIX}")
    with open(path, "rb") as f:
        write_entries(entries(f, text_key), out)
    return out


def upload_catalogue(store: Store, path: Path, text_key: str) -> str | None:
    """Make and upload the catalogue entries of the local text file ``path`` (stored as ``text_key``).

    The hook for the upload path: call it after the text file is in the store and before the
    local copy goes. A StoreError propagates (the upload is retried); a failure to read the
    file or write the entries is logged and ignored, since the text file is what matters and
    ``morgue reindex`` fills gaps. Returns the entries' key, or None if they were there already
    or could not be made.
    """
    from morgue.store import file_sha256

    key = catalogue_key(text_key)
    if store.exists(key):
        return None
    try:
        local = catalogue_file(path, text_key)
    except (OSError, ValueError) as e:
        logger.error("Cannot make the catalogue of %s (morgue reindex will): %s", text_key, e)
        return None
    try:
        store.put_file(local, key, file_sha256(local))
    finally:
        local.unlink(missing_ok=True)
    return key
