"""WACZ packages of archived WARC files: one file that replayweb.page and pywb open as it is.

The layout of WACZ 1.1.1, written with the standard library: ``archive/<name>.warc.gz``
(the store's WARC files, stored in the zip uncompressed, so a reader can seek into them),
``indexes/index.cdx`` (the files' CDXJ lines, merged and sorted, ``filename`` naming the
file in ``archive/``), ``pages/pages.jsonl`` (one line per article: each capture that has a
discovery metadata record, with its title from the catalogue when there is one),
``datapackage.json`` (every file's SHA-256 and size) and ``datapackage-digest.json`` (the
SHA-256 of ``datapackage.json``). WARC files are streamed from the store, never held whole.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from morgue.warc.cdxj import WARC_PREFIX, WARC_SUFFIX, Capture, cdxj_key, index_lines

if TYPE_CHECKING:
    from morgue.store import Store

WACZ_VERSION = "1.1.1"
COPY_SIZE = 1 << 20
_NAME_CHARS = re.compile(r"[^a-z0-9._/-]")  # what frictionless accepts in a resource name


@dataclass
class Packed:
    warc_files: int = 0
    warc_bytes: int = 0
    captures: int = 0
    pages: int = 0
    resources: list[dict] = field(default_factory=list)


def warc_keys(store: Store, since: str | None = None, until: str | None = None,
              names: frozenset[str] = frozenset()) -> list[str]:
    """The store's WARC files opened between ``since`` and ``until`` (``YYYY-MM-DD``, the day in
    the key), or those named (by key or file name)."""
    out = []
    for key in store.list(WARC_PREFIX):
        if not key.endswith(WARC_SUFFIX):
            continue
        if names and key not in names and key.rsplit("/", 1)[-1] not in names:
            continue
        day = "-".join(key.split("/")[1:4])
        if (since and day < since) or (until and day > until):
            continue
        out.append(key)
    return out


def _index(store: Store, key: str) -> list[str]:
    """The CDXJ lines of one WARC file: its stored index, else made by reading the file."""
    ckey = cdxj_key(key)
    if store.exists(ckey):
        with store.open(ckey) as f:
            return [line for line in f.read().decode("utf-8").splitlines() if line.strip()]
    with store.open(key) as f:
        return index_lines(f, key)


def _titles(store: Store) -> dict[str, str]:
    """warc_record_id -> the title of its newest text record, from the catalogue (empty if it cannot be read)."""
    try:
        from morgue.corpus import catalogue as cat

        table = cat.load(store).table
    except Exception:  # noqa: BLE001 -- titles are a nicety of the page list: never a reason to fail
        return {}
    ids, titles = table["warc_record_id"].to_pylist(), table["title"].to_pylist()
    return {i: t for i, t in zip(ids, titles, strict=True) if i and t}


def _write(zf: zipfile.ZipFile, path: str, data: bytes, packed: Packed, compress: bool = True) -> None:
    info = zipfile.ZipInfo(path, _now_tuple())
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    zf.writestr(info, data)
    packed.resources.append(_resource(path, hashlib.sha256(data).hexdigest(), len(data)))


def _resource(path: str, sha256: str, size: int) -> dict:
    name = _NAME_CHARS.sub("-", path.rsplit("/", 1)[-1].lower())
    return {"name": name, "path": path, "hash": f"sha256:{sha256}", "bytes": size}


def _now_tuple() -> tuple[int, int, int, int, int, int]:
    return datetime.now(timezone.utc).timetuple()[:6]


def package(store: Store, keys: list[str], out: Path, *, title: str | None = None) -> Packed:
    """Write the WACZ of the WARC files ``keys`` to ``out``; returns what went in.

    ``out`` is written under a temporary name and renamed when whole.
    """
    import morgue

    packed = Packed()
    lines: list[str] = []
    partial = out.with_name(f".{out.name}.part")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            for key in keys:
                name = key.rsplit("/", 1)[-1]
                path = f"archive/{name}"
                info = zipfile.ZipInfo(path, _now_tuple())
                info.compress_type = zipfile.ZIP_STORED
                digest, size = hashlib.sha256(), 0
                with store.open(key) as src, zf.open(info, "w", force_zip64=True) as dst:
                    while chunk := src.read(COPY_SIZE):
                        digest.update(chunk)
                        dst.write(chunk)
                        size += len(chunk)
                packed.resources.append(_resource(path, digest.hexdigest(), size))
                packed.warc_files += 1
                packed.warc_bytes += size
                for line in _index(store, key):
                    urlkey, ts, data = line.split(" ", 2)
                    fields = json.loads(data)
                    fields["filename"] = name
                    lines.append(f"{urlkey} {ts} {json.dumps(fields, ensure_ascii=False)}")
            lines.sort()
            packed.captures = len(lines)
            _write(zf, "indexes/index.cdx", "".join(line + "\n" for line in lines).encode("utf-8"), packed)
            titles = _titles(store)
            pages = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles"})]
            for line in lines:
                c = Capture.from_line(line)
                if c.meta_offset is None or not (c.status or "").startswith("2"):
                    continue  # an article is a capture that has its discovery metadata record
                page = {"id": hashlib.sha1((c.record_id or line).encode()).hexdigest()[:16],
                        "url": c.url, "ts": c.time}
                if c.record_id in titles:
                    page["title"] = titles[c.record_id]
                pages.append(json.dumps(page, ensure_ascii=False))
            packed.pages = len(pages) - 1
            _write(zf, "pages/pages.jsonl", "".join(p + "\n" for p in pages).encode("utf-8"), packed)
            datapackage = {
                "profile": "data-package",
                "resources": packed.resources,
                "title": title or f"morgue archive: {len(keys)} WARC files",
                "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "wacz_version": WACZ_VERSION,
                "software": f"morgue {morgue.__version__}",
            }
            data = json.dumps(datapackage, indent=2).encode("utf-8")
            zf.writestr(zipfile.ZipInfo("datapackage.json", _now_tuple()), data, zipfile.ZIP_DEFLATED)
            digest_doc = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
            zf.writestr(zipfile.ZipInfo("datapackage-digest.json", _now_tuple()),
                        json.dumps(digest_doc, indent=2).encode("utf-8"), zipfile.ZIP_DEFLATED)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return packed



