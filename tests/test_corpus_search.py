"""``morgue search``: a crawled story found by a phrase in its body; the index follows the store."""

from __future__ import annotations

import json
import random

from morgue.corpus import synthetic
from morgue.store import open_store
from tests.conftest import text_records
from tests.test_corpus_export import SENTENCES, corpus


def test_finds_a_story_by_a_phrase_in_its_body(crawled, tmp_path):
    _, store, run = crawled
    assert run.code == 0, run.stderr
    records = text_records(store)
    story = next(r for r in records if "bronze heads" in r["title"])
    words = story["text"].split("\n")[2].split()[3:9]  # a phrase from inside the body, not the title
    phrase = " ".join(w.strip(".,;:!?\"'()“”‘’") for w in words)
    index = tmp_path / "index.sqlite3"
    run = corpus("search", f'"{phrase}"', "--store", str(store), "--index", str(index), "--json")
    assert run.code == 0, run.stderr
    hits = [json.loads(line) for line in run.stdout.splitlines()]
    assert hits[0]["url"] == story["url"] and hits[0]["title"] == story["title"]
    assert hits[0]["published"] == story["published"] and hits[0]["warc_record_id"] == story["warc_record_id"]
    assert "[" in hits[0]["snippet"]  # the match is marked
    assert f"indexed {len(records)} new records" in run.stderr
    # plain output: date, title, URL, snippet
    run = corpus("search", f'"{phrase}"', "--store", str(store), "--index", str(index))
    assert run.stdout.splitlines()[:2] == [f"{story['published'][:10]}  {story['title']}",
                                           f"            {story['url']}"]
    assert "indexed" not in run.stderr  # nothing new in the store: nothing re-read


def test_index_follows_new_text_files_and_filters(tmp_path):
    store_path, index = tmp_path / "archive", tmp_path / "index.sqlite3"
    rng = random.Random(4)
    first = synthetic.record(rng, SENTENCES, "gazette.example", 1)
    first["text"] += "\nThe lighthouse keeper retired after forty winters."
    synthetic.write(open_store(str(store_path)), [first], tmp_path / "spool")
    run = corpus("search", "lighthouse keeper", "--store", str(store_path), "--index", str(index))
    assert run.code == 0 and first["url"] in run.stdout
    later = synthetic.record(rng, SENTENCES, "courier.example", 2)
    later["text"] += "\nA second lighthouse keeper was appointed."
    later["published"] = "2027-02-01T09:00:00+00:00"
    synthetic.write(open_store(str(store_path)), [later], tmp_path / "spool")
    run = corpus("search", "lighthouse keeper", "--store", str(store_path), "--index", str(index), "--json")
    assert "indexed 1 new records" in run.stderr
    assert {json.loads(line)["url"] for line in run.stdout.splitlines()} == {first["url"], later["url"]}
    run = corpus("search", "lighthouse", "--store", str(store_path), "--index", str(index), "--site", "courier.example")
    assert run.stdout.count("https://") == 1 and later["url"] in run.stdout
    run = corpus("search", "lighthouse", "--store", str(store_path), "--index", str(index), "--since", "2027-01-01")
    assert run.stdout.count("https://") == 1 and later["url"] in run.stdout
    run = corpus("search", "zeppelin", "--store", str(store_path), "--index", str(index))
    assert run.code == 1 and run.last_line == "morgue: error: no story matches 'zeppelin'"
    # not FTS5 syntax: read as plain words, never an SQL error
    run = corpus("search", 'keeper (retired"', "--store", str(store_path), "--index", str(index))
    assert run.code == 0 and first["url"] in run.stdout
    run = corpus("search", "keeper", "--store", str(store_path), "--index", str(index), "--since", "last week")
    assert run.code == 2
    assert run.last_line == "morgue: error: invalid --since 'last week': expected a date like 2026-01-31"


def test_missing_or_empty_store(tmp_path):
    index = tmp_path / "index.sqlite3"
    run = corpus("search", "anything", "--store", str(tmp_path / "missing"), "--index", str(index))
    assert run.code == 2 and run.last_line == f"morgue: error: store {tmp_path / 'missing'} does not exist"
    (tmp_path / "empty").mkdir()
    run = corpus("search", "anything", "--store", str(tmp_path / "empty"), "--index", str(index))
    assert run.code == 1 and run.last_line == f"morgue: error: no text records in store {tmp_path / 'empty'}"
    assert not index.exists()
    run = corpus("reindex", "--store", str(tmp_path / "empty"))
    assert run.code == 1 and not (tmp_path / "empty" / "catalogue").exists()
    run = corpus("reindex", "--store", str(tmp_path / "missing"))
    assert run.code == 2 and not (tmp_path / "missing").exists()
