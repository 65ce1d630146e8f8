"""``morgue export --dedup``: crafted duplicates through the real extractor, and a planted set for recall."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from morgue.corpus import synthetic
from morgue.extraction import extract
from morgue.store import open_store
from tests.test_corpus_export import SENTENCES, corpus

PAGES = Path(__file__).parent / "pages"
FOOTER = ("<p>(Reporting by Anna Lind in Stockholm; additional reporting by Tom Berg; "
          "Editing by Mark Heinrich and Alex Richardson)</p>")


def record(body: bytes, url: str, fetched_at: str, n: int) -> dict:
    """A text record of ``body`` as the crawl would make it (the capture fields made up)."""
    article = extract(body, url)
    assert article["text"], article["reason"]
    rec = {"url": url, "requested_url": url, **{k: v for k, v in article.items() if k not in ("reason", "image")}}
    rec.update(canonical_url=url, fetched_at=fetched_at, discovered_via="sitemap", extractor="test",
               warc_record_id=f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>", warc_key=None, warc_filename=None,
               warc_offset=None, warc_length=None, payload_digest=None)
    return rec


@pytest.fixture
def crafted(tmp_path):
    cp1252 = (PAGES / "cp1252_article.html").read_bytes()
    as_utf8 = re.sub(rb"(?i)windows-1252|cp1252|iso-8859-1", b"utf-8", cp1252.decode("cp1252").encode("utf-8"))
    assert as_utf8 != cp1252 and "’".encode() in as_utf8
    original = (PAGES / "newsroom_article.html").read_bytes()
    wire = original.replace(b"Night trains win back sleeper passengers", b"UPDATE 2-Sleeper trains are back")
    last_p = wire.rindex(b"</p>") + len(b"</p>")
    wire = wire[:last_p] + FOOTER.encode() + wire[last_p:]
    records = [
        # written first, fetched last: "earliest" is by capture time, not by file order
        record(as_utf8, "https://mirror.example/cafe-owners", "2026-11-03T10:00:00+00:00", 1),
        record(cp1252, "https://courier.example/cafe-owners", "2026-11-02T10:00:00+00:00", 2),
        record(original, "https://ledger.example/night-trains", "2026-11-02T06:00:00+00:00", 3),
        record(wire, "https://wire.example/update-2-sleeper-trains", "2026-11-02T09:00:00+00:00", 4),
    ]
    assert records[0]["text"] == records[1]["text"]  # the two encodings decode to one text
    assert records[3]["title"] != records[2]["title"] and "Editing by Mark Heinrich" in records[3]["text"]
    store = tmp_path / "archive"
    synthetic.write(open_store(str(store)), records[:1], tmp_path / "spool")
    synthetic.write(open_store(str(store)), records[1:], tmp_path / "spool")
    return store


def dropped(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "_dropped.jsonl").read_text().splitlines()]


def urls(out: Path) -> set[str]:
    return set(pq.read_table(out / "corpus.parquet")["url"].to_pylist())


def test_exact_dedup_keeps_the_earliest_capture(crafted, tmp_path):
    out = tmp_path / "out"
    run = corpus("export", "--store", str(crafted), "--out", str(out), "--dedup", "exact")
    assert run.code == 0, run.stderr
    assert urls(out) == {"https://courier.example/cafe-owners", "https://ledger.example/night-trains",
                         "https://wire.example/update-2-sleeper-trains"}
    assert [(d["reason"], d["url"], d["kept_url"]) for d in dropped(out)] == [
        ("exact_duplicate", "https://mirror.example/cafe-owners", "https://courier.example/cafe-owners")]
    assert "exact_duplicate 1" in run.stderr
    assert json.loads((out / "_summary.json").read_text())["dropped"] == {"exact_duplicate": 1}


def test_near_dedup_drops_the_wire_copy(crafted, tmp_path):
    out = tmp_path / "out"
    run = corpus("export", "--store", str(crafted), "--out", str(out), "--dedup", "near")
    assert run.code == 0, run.stderr
    assert urls(out) == {"https://courier.example/cafe-owners", "https://ledger.example/night-trains"}
    near = [d for d in dropped(out) if d["reason"] == "near_duplicate"]
    assert [(d["url"], d["kept_url"], d["kept_warc_record_id"]) for d in near] == [
        ("https://wire.example/update-2-sleeper-trains", "https://ledger.example/night-trains",
         "<urn:uuid:00000000-0000-0000-0000-000000000003>")]
    assert 0.7 <= near[0]["similarity"] < 1
    assert "exact_duplicate 1, near_duplicate 1" in run.stderr
    # without dedup every record is there
    run = corpus("export", "--store", str(crafted), "--out", str(tmp_path / "all"))
    assert len(urls(tmp_path / "all")) == 4 and dropped(tmp_path / "all") == []


def test_near_dedup_recall_and_precision_on_a_planted_set(tmp_path):
    rng = random.Random(21)
    originals = [synthetic.record(rng, SENTENCES, f"site{n % 7}.example", n, words=120 + n % 300)
                 for n in range(1200)]
    planted = {}
    copies = []
    for n, original in enumerate(rng.sample(originals, 60)):
        copy = synthetic.near_copy(rng, original, "wire.example", n, edits=rng.randrange(0, 6))
        planted[copy["warc_record_id"]] = original["warc_record_id"]
        copies.append(copy)
    mixed = originals + copies
    rng.shuffle(mixed)
    store = tmp_path / "archive"
    synthetic.write(open_store(str(store)), mixed, tmp_path / "spool", max_size=1_000_000)
    out = tmp_path / "out"
    run = corpus("export", "--store", str(store), "--out", str(out), "--dedup", "near")
    assert run.code == 0, run.stderr
    found = {d["warc_record_id"]: d["kept_warc_record_id"] for d in dropped(out) if d["reason"] == "near_duplicate"}
    right = sum(planted.get(k) == v for k, v in found.items())
    recall, precision = right / len(planted), right / max(len(found), 1)
    assert recall >= 0.95 and precision >= 0.99, (recall, precision)


def test_near_threshold_needs_near(crafted, tmp_path):
    run = corpus("export", "--store", str(crafted), "--out", str(tmp_path / "o"), "--near-threshold", "0.9")
    assert run.code == 2 and run.last_line == "morgue: error: --near-threshold needs --dedup near"


def test_signatures_in_worker_processes_find_the_same(crafted, tmp_path, monkeypatch):
    """Large exports make signatures in worker processes; the result is the same as in-process."""
    from morgue.corpus import export as corpus_export

    monkeypatch.setattr(corpus_export, "PROCESSES_FROM", 0)  # as if the store were large
    store = open_store(str(crafted))
    results = []
    for workers in (0, 2):
        out = tmp_path / f"w{workers}"
        summary = corpus_export.export(store, corpus_export.Options(out=out, dedup="near", workers=workers))
        results.append((summary.dropped, sorted(urls(out)), dropped(out)))
    assert results[0] == results[1]
    assert results[0][0] == {"exact_duplicate": 1, "near_duplicate": 1}
