"""The catalogue: a small Parquet file per text file saying what each record is and where it lives.

``catalogue/YYYY/MM/DD/<name>.parquet`` mirrors ``text/YYYY/MM/DD/<name>.jsonl.gz``: one row
per record with the fields filters and versions need, the normalised text's hash, and the
record's offset and length in its text file. An export decides on the catalogue, then reads
only the text files (and, inside a file, only the byte ranges) it needs.
``catalogue/compacted/<stamp>.parquet`` (written by ``morgue reindex``) holds the rows of
every text file it names, so a large store's catalogue is one read; per-file catalogues of
text files that came later are added to it. A text file with no catalogue is read whole, so
the catalogue only ever saves work and never hides a record.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from morgue.corpus.records import TEXT_PREFIX, TEXT_SUFFIX, TornFile, iter_members, parse, text_keys
from morgue.corpus.rows import row
from morgue.store import Store, file_sha256

logger = logging.getLogger(__name__)

PREFIX = "catalogue/"
COMPACTED = PREFIX + "compacted/"
VERSION = "1"

_S = pa.string()
SCHEMA = pa.schema([
    ("url", _S), ("story", _S), ("site", _S), ("title", _S), ("published", _S), ("fetched_at", _S),
    ("language", _S), ("page_kind", _S), ("word_count", pa.int64()), ("version", pa.int64()),
    ("text_hash", _S), ("warc_record_id", _S),
    ("text_key", _S), ("text_offset", pa.int64()), ("text_length", pa.int64()),
], metadata={"morgue_catalogue": VERSION})
COLUMNS = tuple(SCHEMA.names)


def catalogue_key(text_key: str) -> str:
    """``text/Y/M/D/<name>.jsonl.gz`` -> ``catalogue/Y/M/D/<name>.parquet``."""
    if not (text_key.startswith(TEXT_PREFIX) and text_key.endswith(TEXT_SUFFIX)):
        raise ValueError(f"not a text file key: {text_key!r}")
    return PREFIX + text_key[len(TEXT_PREFIX):-len(TEXT_SUFFIX)] + ".parquet"


def text_key_of(key: str) -> str:
    return TEXT_PREFIX + key[len(PREFIX):-len(".parquet")] + TEXT_SUFFIX


def catalogue_rows(stream, text_key: str) -> Iterator[dict]:
    """The catalogue rows of one text file; a record that is not JSON is skipped with a warning."""
    try:
        for member in iter_members(stream):
            try:
                r = row(parse(member), text_key, member.offset, member.length)
            except (ValueError, TypeError) as e:
                logger.warning("Skipping a bad record at byte %d of %s: %s", member.offset, text_key, e)
                continue
            yield {name: r[name] for name in COLUMNS}
    except (TornFile, zlib.error) as e:
        logger.warning("Text file %s is cut short: %s", text_key, e)


def table(rows: Iterable[dict]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SCHEMA)


def write_table(t: pa.Table, path: Path) -> None:
    pq.write_table(t, path, compression="zstd")


def catalogue_file(path: Path, text_key: str | None = None) -> Path:
    """Make the catalogue of the finished text file ``path``, beside it; returns its path.

    The file is named ``.<name>.catalogue.parquet``: hidden, so the spool never takes
    it for an archive file to upload under its own name.
    """
    from morgue.store.names import key_for

    text_key = text_key or key_for(path.name)
    with open(path, "rb") as f:
        t = table(catalogue_rows(f, text_key))
    out = path.with_name(f".{path.name}.catalogue.parquet")
    write_table(t, out)
    return out


def upload_catalogue(store: Store, path: Path, text_key: str) -> str | None:
    """Make and upload the catalogue of the local text file ``path`` (stored as ``text_key``).

    The hook for the upload path: call it after the text file is in the store and before the
    local copy goes. A StoreError propagates (the upload is retried); any other failure is
    logged and ignored, since the text file is what matters and ``morgue reindex`` fills gaps.
    Returns the catalogue's key, or None if it was there already or could not be made.
    """
    key = catalogue_key(text_key)
    if store.exists(key):
        return None
    try:
        local = catalogue_file(path, text_key)
    except (OSError, ValueError, pa.ArrowException) as e:
        logger.error("Cannot make the catalogue of %s (morgue reindex will): %s", text_key, e)
        return None
    try:
        store.put_file(local, key, file_sha256(local))
    finally:
        local.unlink(missing_ok=True)
    return key


def _read(store: Store, key: str) -> pa.Table | None:
    try:
        with store.open(key) as f:
            t = pq.ParquetFile(io.BytesIO(f.read())).read()  # not read_table: that loads pyarrow.dataset (50 MB)
    except (OSError, ValueError, pa.ArrowException) as e:
        logger.warning("Ignoring unreadable catalogue %s: %s", key, e)
        return None
    if (t.schema.metadata or {}).get(b"morgue_catalogue") != VERSION.encode():
        return None
    return t.select(list(COLUMNS)).cast(SCHEMA)


class Catalogue:
    """The catalogue rows of a store's text files, and which text files have none."""

    def __init__(self, table: pa.Table, covered: set[str], missing: list[str], bytes_read: int = 0):
        self.table = table
        self.covered = covered  # text keys whose rows are in ``table``
        self.missing = missing  # text keys with no catalogue
        self.bytes_read = bytes_read  # text bytes read to fill in missing ones (when asked to)


def load(store: Store, keys: list[str] | None = None) -> Catalogue:
    """The latest compacted catalogue plus the per-file catalogues of text files it does not cover."""
    keys = text_keys(store) if keys is None else keys
    wanted = set(keys)
    cat_keys = list(store.list(PREFIX))
    compacted = sorted(k for k in cat_keys if k.startswith(COMPACTED) and k.endswith(".parquet"))
    tables: list[pa.Table] = []
    covered: set[str] = set()
    for key in reversed(compacted):
        t = _read(store, key)
        if t is not None:
            t = t.filter(pc.is_in(t["text_key"], pa.array(sorted(wanted), _S)))
            tables.append(t)
            covered |= set(t.column("text_key").unique().to_pylist()) & wanted
            break
    per_file = {text_key_of(k) for k in cat_keys if not k.startswith(COMPACTED) and k.endswith(".parquet")}
    for text_key in keys:
        if text_key in covered or text_key not in per_file:
            continue
        t = _read(store, catalogue_key(text_key))
        if t is not None:
            tables.append(t)
            covered.add(text_key)
    missing = [k for k in keys if k not in covered]
    t = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
    return Catalogue(t, covered, missing)


def scan(store: Store, key: str) -> pa.Table:
    """The catalogue of one text file, made by reading it."""
    with store.open(key) as f:
        return table(catalogue_rows(f, key))


def _stamp() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond:06d}-{os.getpid()}"


def reindex(store: Store, rebuild: bool = False, progress=None) -> dict:
    """Make the missing per-file catalogues (all of them with ``rebuild``), then one compacted catalogue.

    Returns counts: text files, files read, records, and the compacted catalogue's key.
    """
    keys = text_keys(store)
    if not keys:
        return {"text_files": 0, "files_read": 0, "catalogues_made": 0, "records": 0, "compacted": None}
    current = Catalogue(SCHEMA.empty_table(), set(), list(keys)) if rebuild else load(store, keys)
    tables = [current.table] if current.table.num_rows else []
    made = 0
    with tempfile.TemporaryDirectory(prefix="morgue-reindex-") as tmp:
        for key in current.missing:
            t = scan(store, key)
            tables.append(t)
            ckey = catalogue_key(key)
            if not store.exists(ckey):
                local = Path(tmp) / "file.parquet"
                write_table(t, local)
                store.put_file(local, ckey, file_sha256(local))
                local.unlink()
                made += 1
            if progress:
                progress(1)
        whole = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        compact_key = f"{COMPACTED}{_stamp()}.parquet"
        local = Path(tmp) / "compacted.parquet"
        write_table(whole, local)
        store.put_file(local, compact_key, file_sha256(local))
    return {"text_files": len(keys), "files_read": len(current.missing), "catalogues_made": made,
            "records": whole.num_rows, "compacted": compact_key}
