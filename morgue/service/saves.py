"""What every save does once its crawl has ended: prove each capture can be read back, and index it.

Shared by ``morgue save`` and the service's jobs, so that "saved" means the
same in both: the response record was read back from the store with one
ranged read and its ``WARC-Record-ID`` matched, and so was the page's text
record, which names that same response record.
"""

from __future__ import annotations

import gzip
import io
import json
import time
from typing import Any

from warcio.archiveiterator import ArchiveIterator

#: words of the text shown in a result
TEXT_START_WORDS = 40
NOT_STORED = "archived, but the capture cannot be read back from the store yet (it waits in the spool)"
TEXT_NOT_STORED = "archived, but its text record cannot be read back from the store yet (it waits in the spool)"


def read_back(store, result: dict[str, Any]) -> bool:
    """Whether the result's response record reads back from ``store`` whole, under its record id."""
    try:
        data = store.read_range(result["warc_key"], result["warc_offset"], result["warc_length"])
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
        return record.rec_headers.get_header("WARC-Record-ID") == result["warc_record_id"]
    except Exception:  # noqa: BLE001 - any failure to read back is the same answer: not stored
        return False


def read_back_text(store, result: dict[str, Any]) -> bool:
    """Whether the result's text record reads back from ``store`` and points at its response record."""
    try:
        data = store.read_range(result["text_key"], result["text_offset"], result["text_length"])
        record = json.loads(gzip.decompress(data))
        return record.get("warc_record_id") == result["warc_record_id"]
    except Exception:  # noqa: BLE001 - as above
        return False


def settle(results: list[dict[str, Any]], store, index=None) -> list[dict[str, Any]]:
    """Check each capture (and its text record, when the page gave one) in the store, then index it;
    a capture that is not there is an error."""
    now = time.time()
    for result in results:
        result.setdefault("saved_at", now)
        if result.get("warc_key") and not result.get("recent"):
            if not read_back(store, result):
                result["error"] = result["error"] or NOT_STORED
            elif result.get("text_key") and not read_back_text(store, result):
                result["error"] = result["error"] or TEXT_NOT_STORED
            elif index is not None:
                index.add(result)
    return results


def text_start(text: str | None, words: int = TEXT_START_WORDS) -> str:
    parts = (text or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def public(result: dict[str, Any], full_text: bool = False) -> dict[str, Any]:
    """A result as the command line's ``--json`` and the API give it."""
    out = {name: result.get(name) for name in (
        "url", "final_url", "status", "error", "capture_id", "warc_filename", "warc_offset", "warc_length",
        "title")}
    out["text"] = result.get("text") if full_text else text_start(result.get("text"))
    if result.get("from"):
        out["from"] = result["from"]
    if result.get("recent"):
        out["recent"] = True
    return out


def from_index(row: dict[str, Any]) -> dict[str, Any]:
    """An indexed capture as a result (``--if-not-archived-within``: the recent capture, not fetched again)."""
    record = row.get("record") or {}
    return {**row, "text": record.get("text", ""), "recent": True, "from": None}
