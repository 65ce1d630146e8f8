"""Re-extraction: a new generation of text records from the archived HTML; nothing fetched again."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from morgue.corpus.export import Options, export
from morgue.corpus.reextract import parse_metadata
from morgue.extraction import extractor_id
from morgue.store.local import LocalStore
from tests.conftest import crawl, text_records
from tests.conftest import morgue as command


@pytest.fixture(scope="module")
def reextracted(tmp_path_factory):
    from morgue.testsite import NewsSite

    store = tmp_path_factory.mktemp("archive")
    with NewsSite() as site:
        run = crawl(site.url, store)
        assert run.code == 0, run.stderr[-2000:]
        before = text_records(store)
        requests = len(site.requests)
        run = command("reextract", "--store", str(store), "-s", "MORGUE_EXTRACT_WORKERS=1")
        assert len(site.requests) == requests  # no page fetched again
    yield store, before, run


def test_a_new_generation_beside_the_old_one(reextracted):
    store, before, run = reextracted
    assert run.code == 0, run.stderr
    assert f"re-extracted {len(before)} of {len(before)} records into 1 text files" in run.stderr
    after = text_records(store)
    old = [r for r in after if r.get("generation", 1) == 1]
    new = [r for r in after if r.get("generation") == 2]
    assert old == before  # the crawl's records are kept, untouched
    assert len(new) == len(before)
    by_capture = {r["warc_record_id"]: r for r in before}
    for record in new:
        first = by_capture[record["warc_record_id"]]
        assert record["extractor"] == extractor_id()
        # the same fields, made again from the archived page and its discovery metadata record
        assert {k: v for k, v in record.items() if k not in ("generation", "extractor")} == \
               {k: v for k, v in first.items() if k != "extractor"}
    # the new text file has its catalogue entries, so export and show find it without a scan
    assert len(list(store.glob("catalogue/*/*/*/*.jsonl.gz"))) == 2
    assert run.stdout.strip().startswith("text/")


def test_export_takes_the_newest_generation_unless_told_otherwise(reextracted, tmp_path):
    store, before, _ = reextracted
    summary = export(LocalStore(store), Options(out=tmp_path / "newest", workers=0))
    assert summary.kept == len(before)
    assert summary.dropped == {"older_generation": len(before)}
    table = pq.read_table(tmp_path / "newest" / "corpus.parquet")
    assert set(table["generation"].to_pylist()) == {2}
    dropped = [json.loads(line) for line in (tmp_path / "newest" / "_dropped.jsonl").read_text().splitlines()]
    assert {d["reason"] for d in dropped} == {"older_generation"}
    assert all(d["kept_warc_record_id"] == d["warc_record_id"] for d in dropped)
    every = export(LocalStore(store), Options(out=tmp_path / "all", workers=0, all_generations=True))
    assert every.kept == 2 * len(before)
    table = pq.read_table(tmp_path / "all" / "corpus.parquet")
    assert sorted(table["generation"].to_pylist()) == [1] * len(before) + [2] * len(before)


def test_reextract_again_makes_generation_three_from_the_newest(reextracted):
    store, before, _ = reextracted
    from morgue.corpus.reextract import Selection, chosen_rows

    rows = chosen_rows(LocalStore(store), Selection())
    assert len(rows) == len(before) and {r["generation"] for r in rows} == {2}
    site = before[0]["url"].split("/")[2].split(":")[0]
    assert len(chosen_rows(LocalStore(store), Selection(sites=frozenset({site})))) == len(before)
    assert chosen_rows(LocalStore(store), Selection(sites=frozenset({"elsewhere.example"}))) == []
    assert chosen_rows(LocalStore(store), Selection(since="2999-01-01")) == []


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--since", "soon"], 2, "morgue: error: invalid --since 'soon'"),
    (["--site", "elsewhere.example"], 1, "morgue: error: no text records to re-extract in store"),
])
def test_bad_input_is_one_line(reextracted, args, code, message):
    store, _, _ = reextracted
    run = command("reextract", "--store", str(store), *args)
    assert run.code == code
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith(message), run.stderr


def test_metadata_records_read_as_json_or_warc_fields():
    entry = {"title": "Harbour bridge", "keywords": ["a", "b"]}
    as_json = json.dumps({"via": "news-sitemap", "from": "http://x/s.xml", "entry": entry}).encode()
    fields = (b'entry: {"keywords": ["a", "b"], "title": "Harbour bridge"}\r\n'
              b"from: http://x/s.xml\r\nvia: news-sitemap\r\n")
    assert parse_metadata(as_json, "application/json") == parse_metadata(fields, "application/warc-fields") == {
        "via": "news-sitemap", "from": "http://x/s.xml", "entry": entry}


def test_a_compacted_catalogue_from_before_generations_still_reads(reextracted, tmp_path):
    """``morgue reindex`` output made before the ``generation`` column: read as generation 1, not refused."""
    import shutil

    import pyarrow.parquet as pq

    from morgue.corpus import catalogue as cat

    store, before, _ = reextracted
    copy = tmp_path / "archive"
    shutil.copytree(store, copy)
    cat.reindex(LocalStore(copy))
    (compacted,) = copy.glob("catalogue/compacted/*.parquet")
    old = pq.read_table(compacted)
    pq.write_table(old.drop_columns(["generation"]).replace_schema_metadata(old.schema.metadata), compacted)
    loaded = cat.load(LocalStore(copy))
    assert loaded.missing == [] and loaded.table.num_rows == 2 * len(before)
    summary = export(LocalStore(copy), Options(out=tmp_path / "out", workers=0))
    assert summary.kept == len(before)  # without generations, the latest written of a capture is taken
