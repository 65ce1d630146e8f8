"""Text records: whatever odd characters a page carries, the record is written and reads back."""

from __future__ import annotations

import gzip
import json

from morgue.items import Page
from morgue.store.spool import Spool
from morgue.text.record import text_record
from morgue.text.writer import RotatingTextWriter, record_line


def test_lone_surrogates_and_control_characters_do_not_cost_the_record(tmp_path):
    page = Page(url="http://n.example/a", requested_url="http://n.example/a", body=b"", encoding=None,
                discovery={"via": "feed", "entry": {"title": "unused"}},
                article={"title": "Half a pair \ud800 here", "author": "A\udfffB", "text": "one\x00two\nthree\x1b",
                         "tags": ["ok", "bad\ud83d"], "word_count": 2})
    spool = Spool(tmp_path / "spool")
    writer = RotatingTextWriter(spool.create)
    writer.write(text_record(page, "test-extractor"))
    writer.write({"url": "http://n.example/b", "title": "the next record"})
    path = writer.finish()
    with gzip.open(path, "rb") as f:
        lines = [json.loads(line.decode("utf-8")) for line in f]  # strict UTF-8, strict JSON
    record = lines[0]
    assert record["title"] == "Half a pair \ufffd here"
    assert record["author"] == "A\ufffdB"
    assert record["text"] == "onetwo\nthree"
    assert record["tags"] == ["ok", "bad\ufffd"]
    assert lines[1]["title"] == "the next record"


def test_the_writer_itself_never_fails_on_a_lone_surrogate():
    # a record that did not go through text_record's cleaning (a key, say): the line is still UTF-8 JSON
    line = record_line({"odd\udc80key": "value \ud800"})
    assert json.loads(line.decode("utf-8")) == {"odd?key": "value ?"}
