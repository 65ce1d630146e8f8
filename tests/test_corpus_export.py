"""``morgue export``: a crawled store (plus synthetic records for volume and variety) out as a corpus."""

from __future__ import annotations

import csv
import gzip
import json
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from morgue.corpus import synthetic
from morgue.corpus.entries import catalogue_key, upload_catalogue
from morgue.corpus.records import text_keys
from morgue.store import file_sha256, open_store
from morgue.store.names import key_for
from morgue.store.rotation import StreamFile
from morgue.text.writer import RotatingTextWriter
from tests.conftest import Run, morgue, read_one_record, text_records
from tests.s3server import (  # noqa: F401  (fixtures)
    BUCKET,
    S3Server,
    fixture_s3_env,
    fixture_s3_server,
    fixture_s3_server_factory,
)


def corpus(command: str, *args: str, env: dict | None = None, timeout: float = 120) -> Run:
    """Run a corpus command through the real ``morgue`` CLI, as a user would."""
    return morgue(command, *args, env=env, timeout=timeout)


SENTENCES = [f"Sentence {i} of the pool tells of harbour {i % 13} and council {i % 29} matters today."
             for i in range(3000)]


def add_synthetic(store_path: Path, records: list[dict], spool: Path) -> list[str]:
    return synthetic.write(open_store(str(store_path)), records, spool)


@pytest.fixture(scope="module")
def mixed(crawled, tmp_path_factory):
    """The crawled store, plus synthetic records of other sites, languages, kinds, dates and versions."""
    _, crawled_store, run = crawled
    assert run.code == 0, run.stderr
    store = tmp_path_factory.mktemp("mixed") / "archive"
    shutil.copytree(crawled_store, store)
    rng = random.Random(7)
    extra = []
    for n in range(12):
        r = synthetic.record(rng, SENTENCES, "gazette.example" if n % 2 else "courier.example", n,
                             words=60 + 20 * n)
        r["language"] = "de" if n % 3 == 0 else "en"
        if n == 5:
            r["page_kind"] = "liveblog"
        extra.append(r)
    # a story in two versions: version 2 is the one exported unless --all-versions
    v1 = synthetic.record(rng, SENTENCES, "gazette.example", 100, words=200)
    v2 = dict(v1, version=2, supersedes=v1["warc_record_id"], text=v1["text"] + " Updated with a correction.",
              warc_record_id="<urn:uuid:00000000-0000-0000-0000-0000000000f2>", fetched_at="2026-12-01T00:00:00+00:00")
    extra += [v1, v2]
    add_synthetic(store, extra, tmp_path_factory.mktemp("spool"))
    return store, text_records(store)


def load(out: Path):
    return pq.read_table(out / "corpus.parquet").to_pylist()


def summary(out: Path) -> dict:
    return json.loads((out / "_summary.json").read_text())


def test_every_row_leads_back_to_its_warc_record(mixed, tmp_path):
    store, records = mixed
    out = tmp_path / "corpus"
    run = corpus("export", "--store", str(store), "--out", str(out), "--site", "127.0.0.1")
    assert run.code == 0, run.stderr
    rows = load(out)
    crawled = [r for r in records if r["url"].startswith("http://127.0.0.1")]
    assert len(rows) == len(crawled) > 5
    archive = open_store(str(store))
    for row in rows:
        for name in ("warc_key", "warc_filename", "warc_offset", "warc_length", "warc_record_id", "url",
                     "fetched_at", "payload_digest", "extractor", "discovered_via"):
            assert row[name] not in (None, ""), name
        rec = read_one_record(archive.read_range(row["warc_key"], row["warc_offset"], row["warc_length"]))
        assert rec.rec_type == "response"
        assert rec.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
        assert rec.rec_headers.get_header("WARC-Target-URI") == row["url"]
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == row["payload_digest"]
        assert row["warc_key"].endswith(row["warc_filename"])
    assert str(out / "corpus.parquet") in run.stdout


def test_loads_with_pandas(mixed, tmp_path):
    pd = pytest.importorskip("pandas")
    store, records = mixed
    out = tmp_path / "corpus"
    assert corpus("export", "--store", str(store), "--out", str(out)).code == 0
    df = pd.read_parquet(out)  # the folder: _summary.json and _dropped.jsonl are not data
    assert len(df) == len(records) - 1  # one story's older version is left out
    assert df["word_count"].dtype.kind == "i"
    assert set(df["site"]) == {"127.0.0.1", "gazette.example", "courier.example"}
    schema = pq.read_schema(out / "corpus.parquet")
    assert str(schema.field("tags").type) == "list<element: string>"
    assert pq.ParquetFile(out / "corpus.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


@pytest.mark.parametrize(("flags", "dropped_by", "check"), [
    (["--site", "gazette.example"], "site", lambda r: r["site"] == "gazette.example"),
    (["--site", "https://www.courier.example/"], "site", lambda r: r["site"] == "courier.example"),
    (["--lang", "de"], "language", lambda r: r["language"] == "de"),
    (["--kind", "liveblog"], "kind", lambda r: r["page_kind"] == "liveblog"),
    (["--kind", "article"], "kind", lambda r: r["page_kind"] == "article"),
    (["--min-words", "250"], "min_words", lambda r: r["word_count"] >= 250),
    (["--since", "2026-11-10", "--until", "2026-11-18"], "published",
     lambda r: "2026-11-10" <= r["published"][:10] <= "2026-11-18"),
    (["--fetched-since", "2026-12-01"], "fetched", lambda r: r["fetched_at"][:10] >= "2026-12-01"),
])
def test_each_filter(mixed, tmp_path, flags, dropped_by, check):
    store, records = mixed
    out = tmp_path / "corpus"
    run = corpus("export", "--store", str(store), "--out", str(out), *flags)
    assert run.code == 0, run.stderr
    rows = load(out)
    assert rows and all(check(r) for r in rows)
    s = summary(out)
    assert s["dropped"][dropped_by] == len(records) - 1 - len(rows)
    assert f"{dropped_by} {s['dropped'][dropped_by]}" in run.stderr


def test_latest_version_unless_all_versions(mixed, tmp_path):
    store, _ = mixed
    run = corpus("export", "--store", str(store), "--out", str(tmp_path / "a"), "--site", "gazette.example")
    rows = {r["warc_record_id"]: r for r in load(tmp_path / "a")}
    story = [r for r in rows.values() if r["url"].endswith("/story/100")]
    assert [r["version"] for r in story] == [2]
    assert "older_version 1" in run.stderr
    dropped = [json.loads(line) for line in (tmp_path / "a" / "_dropped.jsonl").read_text().splitlines()]
    assert [(d["reason"], d["kept_warc_record_id"]) for d in dropped] == [
        ("older_version", "<urn:uuid:00000000-0000-0000-0000-0000000000f2>")]
    corpus("export", "--store", str(store), "--out", str(tmp_path / "b"), "--site", "gazette.example",
           "--all-versions")
    assert sorted(r["version"] for r in load(tmp_path / "b") if r["url"].endswith("/story/100")) == [1, 2]


def test_jsonl_and_csv_load_back(mixed, tmp_path):
    pd = pytest.importorskip("pandas")
    import pyarrow.csv
    import pyarrow.json

    store, records = mixed
    for fmt in ("jsonl", "csv"):
        out = tmp_path / fmt
        run = corpus("export", "--store", str(store), "--out", str(out), "--format", fmt, "--site", "127.0.0.1")
        assert run.code == 0, run.stderr
        path = out / f"corpus.{fmt}"
        if fmt == "jsonl":
            table = pyarrow.json.read_json(path)
            df = pd.read_json(path, lines=True)
        else:
            table = pyarrow.csv.read_csv(path)
            df = pd.read_csv(path)
            with open(path, newline="", encoding="utf-8") as f:
                first = next(csv.DictReader(f))
            assert isinstance(json.loads(first["tags"]), list)  # lists are JSON in a CSV cell
        crawled = {r["warc_record_id"]: r for r in records if r["url"].startswith("http://127.0.0.1")}
        assert table.num_rows == len(df) == len(crawled)
        for row in df.to_dict("records"):
            assert row["text"] == crawled[row["warc_record_id"]]["text"]
            assert row["warc_offset"] == crawled[row["warc_record_id"]]["warc_offset"]


def test_partitions_load_as_a_dataset(mixed, tmp_path):
    store, records = mixed
    out = tmp_path / "corpus"
    assert corpus("export", "--store", str(store), "--out", str(out), "--partition", "site").code == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "site=127.0.0.1", "site=courier.example", "site=gazette.example"]
    import pyarrow.dataset as ds

    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(records) - 1
    assert set(table["site"].to_pylist()) == {"127.0.0.1", "courier.example", "gazette.example"}
    month = tmp_path / "by-month"
    assert corpus("export", "--store", str(store), "--out", str(month), "--partition", "month").code == 0
    assert (month / "month=2026-11" / "corpus.parquet").exists()


def test_readme_one_liners(mixed, tmp_path):
    """The README's one line per library, on a partitioned and a plain export."""
    store, records = mixed
    out = tmp_path / "corpus"
    assert corpus("export", "--store", str(store), "--out", str(out), "--partition", "site").code == 0
    n = len(records) - 1
    tried = []
    try:
        import pandas as pd
    except ImportError:
        pass
    else:
        assert len(pd.read_parquet(out)) == n
        tried.append("pandas")
    try:
        import polars as pl
    except ImportError:
        pass
    else:
        assert pl.read_parquet(f"{out}/**/*.parquet", hive_partitioning=True).height == n
        tried.append("polars")
    try:
        import duckdb
    except ImportError:
        pass
    else:
        sql = f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)"
        assert duckdb.sql(sql).fetchall() == [(n,)]
        tried.append("duckdb")
    try:
        from datasets import load_dataset
    except ImportError:
        pass
    else:
        data = load_dataset("parquet", data_files=f"{out}/**/*.parquet", split="train",
                            cache_dir=str(tmp_path / "hf"))
        assert len(data) == n
        tried.append("datasets")
    if not tried:
        pytest.skip("none of pandas, polars, duckdb, datasets is installed")


def test_bad_input_is_one_line_and_exit_2(mixed, tmp_path):
    store, _ = mixed
    cases = [
        (["--since", "2026-13-01"], "invalid --since '2026-13-01'"),
        (["--min-words", "-1"], "invalid --min-words -1"),
        (["--near-threshold", "1.5", "--dedup", "near"], "invalid --near-threshold 1.5"),
        (["--site", "http://"], "invalid --site"),
    ]
    for flags, message in cases:
        run = corpus("export", "--store", str(store), "--out", str(tmp_path / "o"), *flags)
        assert run.code == 2, (flags, run.stderr)
        assert run.stderr.strip().splitlines() == [f"morgue: error: {run.last_line[len('morgue: error: '):]}"]
        assert message in run.last_line
        assert not (tmp_path / "o").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep me")
    run = corpus("export", "--store", str(store), "--out", str(tmp_path / "full"))
    assert run.code == 2 and "not an empty folder" in run.last_line
    assert (tmp_path / "full" / "x").read_text() == "keep me"
    run = corpus("export", "--store", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert run.code == 2 and run.last_line == f"morgue: error: store {tmp_path / 'missing'} does not exist"


def test_nothing_exported_is_exit_1(mixed, tmp_path):
    store, _ = mixed
    run = corpus("export", "--store", str(store), "--out", str(tmp_path / "o"), "--site", "nowhere.example")
    assert run.code == 1
    assert run.last_line.startswith("morgue: error: nothing exported: all ")
    empty = tmp_path / "empty"
    empty.mkdir()
    run = corpus("export", "--store", str(empty), "--out", str(tmp_path / "o2"))
    assert run.code == 1 and run.last_line == f"morgue: error: no text records in store {empty}"


def twenty_sites(root: Path, spool: Path, per_site: int = 40) -> Path:
    """A store of 20 sites, each crawled into text files of its own (as separate crawls would)."""
    store = open_store(str(root))
    rng = random.Random(3)
    for s in range(20):
        synthetic.write(store, [synthetic.record(rng, SENTENCES, f"site{s:02d}.example", n, words=150)
                                for n in range(per_site)], spool)
    return root


def test_catalogue_export_reads_only_the_files_it_needs(tmp_path):
    store_path = twenty_sites(tmp_path / "archive", tmp_path / "spool")
    run = corpus("reindex", "--store", str(store_path))
    assert run.code == 0, run.stderr
    store = open_store(str(store_path))
    assert all(store.exists(catalogue_key(k)) for k in text_keys(store))
    out = tmp_path / "one"
    run = corpus("export", "--store", str(store_path), "--out", str(out), "--site", "site07.example")
    assert run.code == 0, run.stderr
    s = summary(out)
    assert (s["text_files_read"], s["text_files_skipped"], s["text_files_without_catalogue"]) == (1, 19, 0)
    assert s["text_bytes_read"] < s["text_bytes"] / 10
    assert "(19 skipped by the catalogue;" in run.stderr
    assert {r["site"] for r in load(out)} == {"site07.example"} and len(load(out)) == 40


def test_text_file_without_catalogue_is_still_exported(tmp_path):
    store_path = twenty_sites(tmp_path / "archive", tmp_path / "spool", per_site=5)
    assert corpus("reindex", "--store", str(store_path)).code == 0
    rng = random.Random(9)
    add_synthetic(store_path, [synthetic.record(rng, SENTENCES, "late.example", n) for n in range(3)],
                  tmp_path / "spool")
    out = tmp_path / "out"
    run = corpus("export", "--store", str(store_path), "--out", str(out), "--site", "late.example")
    assert run.code == 0, run.stderr
    assert len(load(out)) == 3
    assert summary(out)["text_files_without_catalogue"] == 1
    assert "`morgue reindex` stores theirs" in run.stderr


def test_catalogue_hook_for_the_upload_path(tmp_path):
    """upload_catalogue beside a finished spool file: the export then skips by it."""
    spool, store_path = tmp_path / "spool", tmp_path / "archive"
    store = open_store(str(store_path))
    rng = random.Random(5)
    for site in ("a.example", "b.example"):
        spool.mkdir(exist_ok=True)
        written: list[Path] = []

        def open_file(name, written=written):
            written.append(spool / name)
            return StreamFile(open(spool / name, "wb"), name)

        w = RotatingTextWriter(open_file)
        for n in range(10):
            w.write(synthetic.record(rng, SENTENCES, site, n))
        w.finish().close()
        (path,) = written
        key = key_for(path.name)
        store.put_file(path, key, file_sha256(path))
        assert upload_catalogue(store, path, key) == catalogue_key(key)
        assert upload_catalogue(store, path, key) is None  # a retried upload: already there
        assert not list(spool.glob(".*catalogue*"))
        entries = [json.loads(line) for line in gzip.decompress(store.read_range(catalogue_key(key), 0, 1 << 20))
                   .decode().splitlines()]
        assert [e["url"] for e in entries] == [f"https://www.{site}/story/{n}" for n in range(10)]
        assert entries[3]["site"] == site and len(entries[3]["text_hash"]) == 32
    out = tmp_path / "out"
    assert corpus("export", "--store", str(store_path), "--out", str(out), "--site", "b.example").code == 0
    assert (summary(out)["text_files_skipped"], len(load(out))) == (1, 10)


def test_export_from_s3(s3_env: S3Server, tmp_path):
    store = open_store(f"s3://{BUCKET}/corpus")
    rng = random.Random(11)
    synthetic.write(store, [synthetic.record(rng, SENTENCES, f"s{n % 2}.example", n) for n in range(20)],
                    tmp_path / "spool")
    env = s3_env.env()
    assert corpus("reindex", "--store", f"s3://{BUCKET}/corpus", env=env).code == 0
    out = tmp_path / "out"
    run = corpus("export", "--store", f"s3://{BUCKET}/corpus", "--out", str(out), "--site", "s1.example",
                 "--format", "jsonl", env=env)
    assert run.code == 0, run.stderr
    rows = [json.loads(line) for line in (out / "corpus.jsonl").read_text().splitlines()]
    assert len(rows) == 10 and {r["site"] for r in rows} == {"s1.example"}



def test_a_record_of_odd_types_is_exported_not_dropped(tmp_path):
    """Fields of unexpected types (older or hand-made records) take the slow path, and arrive."""
    rng = random.Random(12)
    odd = synthetic.record(rng, SENTENCES, "odd.example", 1)
    odd.update(tags="politics", word_count="12", author=["A. Writer", "B. Writer"])
    plain = synthetic.record(rng, SENTENCES, "odd.example", 2)
    store = tmp_path / "archive"
    add_synthetic(store, [plain, odd], tmp_path / "spool")
    out = tmp_path / "out"
    run = corpus("export", "--store", str(store), "--out", str(out))
    assert run.code == 0, run.stderr
    rows = {r["url"]: r for r in load(out)}
    assert len(rows) == 2
    got = rows[odd["url"]]
    assert (got["tags"], got["word_count"], got["author"]) == (["politics"], 12, "A. Writer; B. Writer")
    assert rows[plain["url"]]["text"] == plain["text"]


def test_an_unreadable_catalogue_hides_no_record(tmp_path):
    store_path = twenty_sites(tmp_path / "archive", tmp_path / "spool", per_site=3)
    store = open_store(str(store_path))
    key = text_keys(store)[4]
    local = tmp_path / "broken.jsonl.gz"
    local.write_bytes(b"not parquet at all")
    store.put_file(local, catalogue_key(key), file_sha256(local))  # as if a crash had cut it
    out = tmp_path / "out"
    run = corpus("export", "--store", str(store_path), "--out", str(out))
    assert run.code == 0, run.stderr
    assert len(load(out)) == 60
    assert f"morgue: WARNING: Ignoring unreadable catalogue {catalogue_key(key)}" in run.stderr
    assert summary(out)["text_files_without_catalogue"] == 20
