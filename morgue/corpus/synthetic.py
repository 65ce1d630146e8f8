"""Synthetic text records written through morgue's own text writer: volume for tests and benchmarks.

Texts are made of sentences drawn from a pool (the development pages' article texts in
the benchmark, a few paragraphs in the tests), so two synthetic stories share little
more than two real ones; ``near_copy`` makes the kind of near duplicate a wire story
gets when a second site republishes it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from morgue.store import Store, file_sha256
from morgue.store.names import key_for
from morgue.store.rotation import StreamFile
from morgue.text.writer import RotatingTextWriter

WIRE_FOOTER = "(Reporting by Anna Lind in Stockholm; Editing by Mark Heinrich) Copyright 2026 Wire Service."


def record(rng: random.Random, sentences: list[str], site: str, n: int, *, words: int = 300,
           day: datetime | None = None) -> dict:
    """A text record of about ``words`` words at ``https://<site>/story/<n>``."""
    text, count = [], 0
    while count < words:
        s = rng.choice(sentences)
        text.append(s)
        count += len(s.split())
    day = day or datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(330))
    url = f"https://www.{site}/story/{n}"
    paragraphs = [" ".join(text[i:i + 4]) for i in range(0, len(text), 4)]
    return {
        "url": url, "requested_url": url, "canonical_url": url, "title": f"Story {n} on {site}",
        "author": None, "published": day.isoformat(), "published_source": "page", "sitename": site,
        "language": "en", "description": None, "tags": [], "categories": [], "text": "\n".join(paragraphs),
        "word_count": count, "discovered_via": "sitemap", "discovered_from": f"https://www.{site}/sitemap.xml",
        "fetched_at": (day + timedelta(hours=1)).isoformat(), "warc_filename": None,
        "warc_record_id": f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>", "warc_offset": None,
        "warc_length": None, "payload_digest": None, "warc_key": None, "extractor": "synthetic",
    }


def near_copy(rng: random.Random, original: dict, site: str, n: int, edits: int = 3) -> dict:
    """``original`` republished: another site and headline, a wire footer, ``edits`` words changed."""
    words = original["text"].split(" ")
    for _ in range(edits):
        i = rng.randrange(len(words))
        words[i] = words[i].upper() if rng.random() < 0.5 else "reportedly"
    copy = dict(original)
    url = f"https://www.{site}/wire/{n}"
    fetched = datetime.fromisoformat(original["fetched_at"]) + timedelta(hours=3)
    copy.update(url=url, requested_url=url, canonical_url=url, title="UPDATE 1-" + original["title"],
                text=" ".join(words) + "\n" + WIRE_FOOTER, sitename=site, fetched_at=fetched.isoformat(),
                warc_record_id=f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>")
    copy["word_count"] = len(copy["text"].split())
    return copy


def write(store: Store, records: Iterable[dict], spool: Path, max_size: int = 100_000_000) -> list[str]:
    """Write ``records`` through RotatingTextWriter into ``spool`` and put the files in ``store``; their keys."""
    spool.mkdir(parents=True, exist_ok=True)
    files: list[StreamFile] = []

    def open_file(name: str) -> StreamFile:
        files.append(StreamFile(open(spool / name, "wb"), name))  # noqa: SIM115 (closed below)
        return files[-1]

    writer = RotatingTextWriter(open_file, max_size=max_size)
    for r in records:
        writer.write(r)
    writer.finish()
    keys = []
    for f in files:
        f.stream.close()
        path, key = spool / f.name, key_for(f.name)
        store.put_file(path, key, file_sha256(path))
        path.unlink()
        keys.append(key)
    return keys
