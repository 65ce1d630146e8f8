"""The catalogue: per record of every text file, what it is and where it lives; read by export.

Per text file, entries (``morgue.corpus.entries``: gzipped JSON lines, made as the file is
uploaded or by ``morgue reindex``); ``catalogue/compacted/<stamp>.parquet`` (written by
``morgue reindex``) holds the entries of every text file it names, so a large store's
catalogue is one read, and per-file entries of text files that came later are added to it.
An export decides on the catalogue, then reads only the text files (and, inside a file,
only the byte ranges) it needs. A text file with no catalogue, or an unreadable one, is
read whole: the catalogue only ever saves work and never hides a record.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from morgue.corpus.entries import FIELDS, PREFIX, SUFFIX, catalogue_key, entries, text_key_of, write_entries
from morgue.corpus.records import text_keys
from morgue.store import Store, file_sha256

logger = logging.getLogger(__name__)

COMPACTED = PREFIX + "compacted/"
VERSION = "1"

_TYPES = {"str": pa.string(), "int": pa.int64()}
SCHEMA = pa.schema([(name, _TYPES[kind]) for name, kind in FIELDS.items()], metadata={"morgue_catalogue": VERSION})
COLUMNS = tuple(SCHEMA.names)
_S = pa.string()


def table(rows: Iterable[dict]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SCHEMA)


def write_table(t: pa.Table, path: Path) -> None:
    pq.write_table(t, path, compression="zstd")


def _read(store: Store, key: str) -> pa.Table | None:
    """A compacted catalogue (Parquet) or a text file's entries (JSON lines); None if unreadable."""
    try:
        with store.open(key) as f:
            data = f.read()
        if key.endswith(".parquet"):
            t = pq.ParquetFile(io.BytesIO(data)).read()  # not read_table: that loads pyarrow.dataset (50 MB)
            del data
            if (t.schema.metadata or {}).get(b"morgue_catalogue") != VERSION.encode():
                return None
            for name in COLUMNS:  # a column newer than the file (``generation``): null, read as its default
                if name not in t.schema.names:
                    t = t.append_column(name, pa.nulls(t.num_rows, SCHEMA.field(name).type))
            t = t.select(list(COLUMNS))
            # a copy of a large catalogue only where a type differs
            return t if t.schema.equals(SCHEMA, check_metadata=False) else t.cast(SCHEMA)
        lines = gzip.decompress(data)
        if not lines.strip():
            return SCHEMA.empty_table()
        options = pa_json.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
        return pa_json.read_json(io.BytesIO(lines), parse_options=options).select(list(COLUMNS)).cast(SCHEMA)
    except (OSError, ValueError, EOFError, pa.ArrowException) as e:
        logger.warning("Ignoring unreadable catalogue %s: %s", key, e)
        return None


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
            known = pc.is_in(t["text_key"], pa.array(sorted(wanted), _S))
            if not pc.all(known).as_py():  # a copy only when some of it is not wanted
                t = t.filter(known)
            tables.append(t)
            covered |= set(t.column("text_key").unique().to_pylist()) & wanted
            break
    per_file = {text_key_of(k) for k in cat_keys if not k.startswith(COMPACTED) and k.endswith(SUFFIX)}
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
        return table(entries(f, key))


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
                local = Path(tmp) / "entries.jsonl.gz"
                write_entries(t.to_pylist(), local)
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
