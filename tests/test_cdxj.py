"""CDXJ indexes: one per WARC file, stored at close; lookups by URL through them; show and get."""

from __future__ import annotations

import json
import urllib.request
from typing import ClassVar

import pytest
from cdxj_indexer.main import write_cdx_index

from morgue.store.local import LocalStore
from morgue.warc.cdxj import CaptureIndex, cdxj_key, index_file, lookup, parse_time, read_record, upload_index
from tests.conftest import crawl, morgue, text_records, warc_files

#: the CDXJ indexes in the store right after the crawls, before any lookup made its own
AT_CLOSE: list[str] = []


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """One site crawled twice into one store: two WARC files, two captures of each article.

    A second crawl into the same store fetches no article it has (the crawl's own state), so
    the second crawl goes into a store of its own whose files are then moved in.
    """
    import shutil

    from morgue.testsite import NewsSite

    store = tmp_path_factory.mktemp("archive")
    other = tmp_path_factory.mktemp("archive2")
    with NewsSite() as s:
        for target in (store, other):
            run = crawl(s.url, target)
            assert run.code == 0, run.stderr[-2000:]
        served = {a["path"]: urllib.request.urlopen(s.url.rstrip("/") + a["path"], timeout=10).read()
                  for a in s.articles}
    for path in other.glob("*/*/*/*/*"):
        if not path.relative_to(other).parts[0].startswith("."):
            target = store / path.relative_to(other)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
    AT_CLOSE[:] = sorted(str(p.relative_to(store)) for p in store.glob("cdxj/*/*/*/*.cdxj"))
    yield s, store, served


def article_url(site, store) -> str:
    urls = {r["url"] for r in text_records(store)}
    return next(u for u in sorted(urls) if u.endswith("/") and u.count("/") > 4)


def test_index_agrees_with_cdxj_indexer(twice, tmp_path):
    """Every capture cdxj-indexer finds is a line of ours, at the same offset, length, status and digest."""
    _, store, _ = twice
    warc = warc_files(store)[0]
    ours = index_file(warc)
    mine = {}
    for line in ours.read_text().splitlines():
        key, ts, data = line.split(" ", 2)
        mine[int(json.loads(data)["offset"])] = (key, ts, json.loads(data))
    reference = tmp_path / "ref.cdxj"
    write_cdx_index(str(reference), [str(warc)], {})
    theirs = [line.split(" ", 2) for line in reference.read_text().splitlines() if line.strip()]
    responses = [(k, t, json.loads(d)) for k, t, d in theirs if "status" in json.loads(d)]
    assert len(responses) == len(mine) > 10
    for key, ts, data in responses:
        k, t, f = mine[int(data["offset"])]
        assert (k, t) == (key, ts)
        assert (f["length"], f["status"], f["digest"], f["mime"], f["url"]) == (
            data["length"], data["status"], data["digest"], data["mime"], data["url"])
    lines = ours.read_text().splitlines()
    assert lines == sorted(lines)
    # the discovery metadata record is found through its capture, not in the capture's place
    assert any("meta_offset" in line for line in lines)
    assert not any('"mime": "application/json"' in line for line in lines)


def test_lookup_finds_every_capture_newest_first_reading_no_warc(twice, tmp_path):
    site, store, _ = twice
    url = article_url(site, store)
    captures = lookup(LocalStore(store), url, tmp_path / "a.sqlite3")
    assert len(captures) == 2
    assert captures[0].timestamp >= captures[1].timestamp
    assert captures[0].warc_key != captures[1].warc_key
    assert all(c.status == "200" and c.mime == "text/html" and c.url == url for c in captures)
    assert {c.warc_key for c in captures} == {"warc/" + str(p.relative_to(store / "warc")) for p in warc_files(store)}
    # every WARC file now has its index in the store; a fresh lookup reads those, never a WARC file
    for p in warc_files(store):
        assert (store / cdxj_key("warc/" + str(p.relative_to(store / "warc")))).is_file()

    class Watched(LocalStore):
        opened: ClassVar[list[str]] = []

        def open(self, key):
            self.opened.append(key)
            return super().open(key)

        def read_range(self, key, offset, length):
            self.opened.append(key)
            return super().read_range(key, offset, length)

    watched = Watched(store)
    index = CaptureIndex(tmp_path / "b.sqlite3")
    index.update(watched)
    assert watched.opened and all(k.startswith("cdxj/") for k in watched.opened)
    assert [c.record_id for c in index.captures(url)] == [c.record_id for c in captures]
    watched.opened.clear()
    index.update(watched)
    assert watched.opened == []  # nothing new: nothing read
    # the SURT form: scheme-less, case-insensitive host, sorted query, as pywb looks URLs up
    assert len(index.captures(url.replace("http://", "HTTP://"))) == 2
    assert index.captures(url + "?nope=1") == []
    index.close()


def test_a_warc_file_without_an_index_is_indexed_once_and_its_index_stored(twice, tmp_path):
    """A WARC file from before indexes (or whose index could not be made at close)."""
    import shutil

    site, store, _ = twice
    copy = tmp_path / "archive"
    shutil.copytree(store, copy)
    shutil.rmtree(copy / "cdxj", ignore_errors=True)
    url = article_url(site, copy)
    assert len(lookup(LocalStore(copy), url, tmp_path / "c.sqlite3")) == 2
    stored = sorted(p.read_text() for p in copy.glob("cdxj/*/*/*/*.cdxj"))
    assert len(stored) == 2
    assert stored == sorted(index_file(p).read_text() for p in warc_files(copy))


def test_upload_index_stores_it_beside_the_warc_once(tmp_path, twice):
    _, store, _ = twice
    local = tmp_path / "warc"
    local.mkdir()
    src = warc_files(store)[0]
    copy = local / src.name
    copy.write_bytes(src.read_bytes())
    target = LocalStore(tmp_path / "store")
    key = "warc/" + str(src.relative_to(store / "warc"))
    assert upload_index(target, copy, key) == cdxj_key(key)
    assert (tmp_path / "store" / cdxj_key(key)).read_text().count("\n") > 10
    assert upload_index(target, copy, key) is None  # never overwritten
    assert not list(local.glob(".*"))  # the local index is gone


def test_show_prints_captures_and_text(twice, tmp_path):
    site, store, _ = twice
    url = article_url(site, store)
    run = morgue("show", url, "--store", str(store), "--text", "--index", str(tmp_path / "i.sqlite3"))
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{url}: 2 captures"
    assert sum(" 200  text/html  warc/" in line for line in lines) == 2
    assert sum("text: generation 1" in line for line in lines) == 2
    # how the capture was found: its discovery metadata record, read through the capture's index line
    record = next(r for r in text_records(store) if r["url"] == url)
    assert sum(line.strip() == f"found: via {record['discovered_via']} from {record['discovered_from']}"
               for line in lines) == 2
    record = next(r for r in text_records(store) if r["url"] == url)
    assert record["text"][:200] in run.stdout


def test_get_writes_the_body_as_served_decoded(twice, tmp_path):
    site, store, served = twice
    url = article_url(site, store)
    path = url[len(site.url.rstrip("/")):]
    out = tmp_path / "page.html"
    index = ["--index", str(tmp_path / "i.sqlite3")]
    run = morgue("get", url, "--store", str(store), "-o", str(out), *index)
    assert run.code == 0, run.stderr
    assert out.read_bytes() == served[path]
    # archived gzip-encoded as received (Scrapy asks for it), written decoded
    newest = lookup(LocalStore(store), url, tmp_path / "i.sqlite3")[0]
    assert read_record(LocalStore(store), newest).http_headers.get_header("Content-Encoding") == "gzip"
    # to standard output, and the capture nearest a time
    first = lookup(LocalStore(store), url, tmp_path / "i.sqlite3")[-1]
    run = morgue("get", url, "--store", str(store), "--at", first.time, *index)
    assert run.code == 0 and run.stdout == served[path].decode("utf-8")
    assert first.time in run.stderr


@pytest.mark.parametrize(("args", "code", "message"), [
    (["get", "http://nowhere.invalid/x"], 1, "morgue: error: no capture of http://nowhere.invalid/x in store"),
    (["get", "URL", "--at", "last tuesday"], 2, "morgue: error: --at: invalid time 'last tuesday'"),
    (["show", "URL", "--store", "/nonexistent/archive"], 2, "morgue: error: store /nonexistent/archive does not exist"),
])
def test_bad_input_is_one_line(twice, tmp_path, args, code, message):
    site, store, _ = twice
    args = [article_url(site, store) if a == "URL" else a for a in args]
    if "--store" not in args:
        args += ["--store", str(store)]
    run = morgue(*args, "--index", str(tmp_path / "i.sqlite3"))
    assert run.code == code
    assert run.stderr.strip().splitlines() == [run.stderr.strip().splitlines()[0]]
    assert run.stderr.startswith(message), run.stderr


def test_parse_time():
    assert parse_time("2026-12-03") == "20261203000000"
    assert parse_time("2026-12-03T08:53:35Z") == "20261203085335"
    assert parse_time("20261203085335") == "20261203085335"
    assert parse_time("2026-12-03T09:53:35+01:00") == "20261203085335"
    with pytest.raises(ValueError, match="invalid time"):
        parse_time("yesterday")


def test_a_crawl_stores_the_index_of_each_warc_file_as_it_closes(twice):
    """Wired in ``morgue.store.upload.upload_one``: the index is in the store with its WARC file."""
    _, store, _ = twice
    assert sorted(cdxj_key("warc/" + str(p.relative_to(store / "warc"))) for p in warc_files(store)) == AT_CLOSE
