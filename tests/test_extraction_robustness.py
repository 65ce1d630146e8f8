"""One bad page never costs another: every input gets a record, nothing raises, no unsafe characters out.

Inputs are generated here (random bytes, controls, lying charsets, deep nesting, huge attributes,
truncated documents); no page is copied from a benchmark set.
"""

from __future__ import annotations

import io
import json
import random
import re
import time
from pathlib import Path

import pytest

from morgue.extraction import extract, extract_files
from morgue.extraction.decode import decode_html, looks_binary

KEYS = {
    "title", "author", "published", "language", "sitename", "description", "tags", "categories",
    "canonical_url", "image", "text", "word_count", "reason",
}  # fmt: skip
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
STORY = "".join(
    f"<p>Paragraph {n} of the story tells how the harbour crane lifted the last span of the new footbridge "
    f"into place, watched by a crowd that had waited on the quay since dawn.</p>"
    for n in range(8)
)
ARTICLE = f"<html><head><title>Bridge span lifted</title></head><body><article>{STORY}</article></body></html>"


def check(record: dict) -> dict:
    assert set(record) == KEYS
    assert (record["text"] == "") == (record["reason"] is not None)
    dumped = json.dumps(record, ensure_ascii=False)
    assert not UNSAFE.search(dumped.replace("\\n", ""))
    for value in record.values():
        if isinstance(value, str):
            assert not UNSAFE.search(value.replace("\n", ""))
    return record


def _fuzz_inputs() -> list[tuple[str, bytes | str]]:
    rng = random.Random(17)
    html = ARTICLE.encode()
    cases: list[tuple[str, bytes | str]] = [
        ("random bytes", bytes(rng.randrange(256) for _ in range(5000))),
        ("random bytes after a doctype", b"<!doctype html>" + bytes(rng.randrange(256) for _ in range(5000))),
        ("NULs", b"\x00" * 3000),
        ("NULs inside html", html.replace(b"<p>", b"<p>\x00\x01\x02")),
        ("control characters", html.replace(b"harbour", b"har\x07\x08\x0b\x0c\x1b\x7fbour")),
        ("control character references", html.replace(b"harbour", b"har&#1;&#x1F;&#0;bour")),
        ("C1 controls in UTF-8", html.replace(b"harbour", "har\x85\x9fbour".encode())),
        ("lone surrogates in str", ARTICLE.replace("harbour", "har\ud800\udfffbour")),
        ("invalid UTF-8 declared UTF-8", html.replace(b"<head>", b'<head><meta charset="utf-8">') + b"\xff\xfe\xc3"),
        ("UTF-8 declared UTF-16", html.replace(b"<head>", b'<head><meta charset="utf-16">')),
        ("latin-1 bytes declared UTF-8", ARTICLE.replace("harbour", "hârböur").encode("latin-1")),
        ("unknown charset", html.replace(b"<head>", b'<head><meta charset="x-klingon">')),
        ("200,000 nested elements", b"<html><body>" + b"<div>" * 200_000 + html + b"</div>" * 200_000),
        ("200,000 siblings", b"<html><body>" + b"<span>x</span>" * 200_000 + b"</body></html>"),
        ("megabyte attribute", html.replace(b"<article>", b'<article data-x="' + b"a" * 1_000_000 + b'">')),
        ("megabyte class", html.replace(b"<article>", b'<article class="' + b"share " * 200_000 + b'">')),
        (
            "JSON-LD nested 100,000 deep",
            html.replace(
                b"</head>",
                b'<script type="application/ld+json">' + b"[" * 100_000 + b"]" * 100_000 + b"</script></head>",
            ),
        ),
        (
            "JSON-LD objects nested deep",
            html.replace(
                b"</head>",
                b'<script type="application/ld+json">'
                + b'{"@graph":' * 50_000
                + b"{}"
                + b"}" * 50_000
                + b"</script></head>",
            ),
        ),
        ("unclosed comment", b"<html><body><!-- " + html),
        ("only a doctype", b"<!DOCTYPE html>"),
        ("empty str", ""),
        ("whitespace", b"   \n\t  "),
    ]
    for cut in (10, 100, 500, len(html) // 2, len(html) - 5):
        cases.append((f"truncated at {cut}", html[:cut]))
    for n in range(20):
        noisy = bytearray(html)
        for _ in range(50):
            noisy[rng.randrange(len(noisy))] = rng.randrange(256)
        cases.append((f"mutated {n}", bytes(noisy)))
    return cases


@pytest.mark.parametrize(("name", "body"), _fuzz_inputs(), ids=[name for name, _ in _fuzz_inputs()])
def test_every_input_gets_a_record(name: str, body: bytes | str) -> None:
    start = time.process_time()
    check(extract(body, url="https://example.org/a"))
    assert time.process_time() - start < 20


def test_control_characters_do_not_lose_the_article() -> None:
    for body in (
        ARTICLE.encode().replace(b"harbour", b"har\x00\x01bour"),
        ARTICLE.encode().replace(b"harbour", b"har&#1;bour"),
        ARTICLE.replace("<title>", "<title>\x00"),
    ):
        record = check(extract(body))
        assert "last span of the new footbridge" in record["text"]


def test_nul_in_title_is_still_html() -> None:
    body = ARTICLE.encode().replace(b"<title>", b"<title>Bridge\x00 ")
    assert not looks_binary(body)
    record = check(extract(body))
    assert record["reason"] is None
    assert "\x00" not in record["title"]


def test_too_deeply_nested_article_gets_no_text_and_a_reason() -> None:
    nav = b"<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
    body = b"<html><body>" + nav + b"<div>" * 200_000 + ARTICLE.encode() + b"</div>" * 200_000 + b"</body></html>"
    record = check(extract(body))
    assert record["text"] == ""
    assert record["reason"] == "too deeply nested"


def test_too_many_elements_get_no_text_and_a_reason() -> None:
    story = "".join(
        f"<p>Paragraph {n} of the story, long enough to be read as prose by any extractor.</p>" for n in range(5)
    )
    flat = f"<html><body><article>{story}</article>{'<i>x</i>' * 120_000}</body></html>"
    assert extract(flat)["reason"] == "too complex"
    text_with_angles = f"<html><body><article>{story}</article><pre>{'a < b ' * 60_000}</pre></body></html>"
    assert extract(text_with_angles)["reason"] is None  # "<" in text is counted, the elements are few


def test_deep_json_ld_does_not_raise() -> None:
    deep = b'<script type="application/ld+json">' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"</script>"
    record = check(extract(ARTICLE.encode().replace(b"</head>", deep + b"</head>")))
    assert "footbridge" in record["text"]


def test_a_failing_page_gives_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("All strings must be XML compatible")

    monkeypatch.setattr("morgue.extraction.article.page_metadata", broken)
    record = check(extract(ARTICLE))
    assert record["text"] == ""
    assert record["reason"] == "extraction failed (ValueError)"


def test_extract_files_goes_on_after_a_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = []
    for n in range(3):
        path = tmp_path / f"page{n}.html"
        path.write_bytes(ARTICLE.encode().replace(b"harbour", f"harbour{n}".encode()))
        paths.append(str(path))
    from morgue.extraction import files

    real = files.extract

    def flaky(body: bytes, url: str = "") -> dict:
        if b"harbour1" in body:
            raise RuntimeError("boom")
        return real(body, url=url)

    monkeypatch.setattr(files, "extract", flaky)
    out = io.StringIO()
    status = extract_files(paths, None, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["source"] for r in records] == paths
    assert records[1]["reason"] == "extraction failed (RuntimeError)" and records[1]["text"] == ""
    assert "harbour2" in records[2]["text"]
    assert status == 1


def test_gb2312_label_decodes_gbk_text() -> None:
    text = "镕基和喆是GBK才有的字。"
    body = f'<html><head><meta charset="gb2312"></head><body><p>{text}</p></body></html>'.encode("gbk")
    assert text in decode_html(body)


def test_xml_declaration_encoding_is_read() -> None:
    body = '<?xml version="1.0" encoding="iso-8859-15"?><html><body><p>Prix: 5 € au café</p></body></html>'
    assert "Prix: 5 € au café" in decode_html(body.encode("iso-8859-15"))


def test_declared_utf16_without_bom_is_ignored() -> None:
    body = '<html><head><meta charset="utf-16"></head><body><p>Über die Brücke</p></body></html>'.encode()
    assert "Über die Brücke" in decode_html(body)


@pytest.mark.parametrize(
    "body",
    [b"\x89PNG\r\n\x1a\n" + bytes(2000), b"%PDF-1.7\n" + bytes(range(256)) * 4, b"GIF89a" + bytes(500)],
)
def test_binary_formats_are_not_html(body: bytes) -> None:
    assert looks_binary(body)
    assert extract(body)["reason"] == "not html"


def test_extract_files_survives_an_undecodable_file_name(tmp_path: Path) -> None:
    name = tmp_path.as_posix().encode() + b"/page-\xff\x01.html"
    with open(name, "wb") as handle:
        handle.write(ARTICLE.encode())
    path = name.decode("utf-8", "surrogateescape")
    out = io.StringIO()
    assert extract_files([path], None, out) == 0
    line = out.getvalue()
    line.encode("utf-8")  # no lone surrogate left to fail a UTF-8 stream
    record = json.loads(line)
    assert record["source"].endswith("page-\ufffd.html")
    assert "footbridge" in record["text"]
