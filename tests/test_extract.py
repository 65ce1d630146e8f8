"""morgue.extraction: article text, boilerplate removed, metadata normalised, bad input survived.

Fixture pages in tests/pages are written for these tests. Assertions name passages that must
be present or absent, never a whole output, so an improvement elsewhere does not break them.
"""

from __future__ import annotations

import io
import json
import pickle
import time
from pathlib import Path

import pytest

from morgue.extraction import EXTRACTOR_VERSION, extract, extract_files, extractor_id

PAGES = Path(__file__).parent / "pages"
KEYS = {
    "title", "author", "published", "language", "sitename", "description", "tags", "categories",
    "canonical_url", "image", "text", "word_count", "reason",
}  # fmt: skip


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


@pytest.fixture(scope="module")
def wordpress() -> dict:
    return extract(page("wordpress_article.html"), url="https://riverside-gazette.example/?p=481")


def test_record_shape_is_plain_and_serialisable(wordpress: dict) -> None:
    assert set(wordpress) == KEYS
    assert isinstance(wordpress["tags"], list)
    assert isinstance(wordpress["categories"], list)
    assert pickle.loads(pickle.dumps(wordpress)) == wordpress
    assert json.loads(json.dumps(wordpress)) == wordpress
    assert wordpress["reason"] is None
    assert wordpress["word_count"] == len(wordpress["text"].split())


def test_wordpress_article_text_kept(wordpress: dict) -> None:
    text = wordpress["text"]
    assert text.startswith("The Marigold, the last wooden ferry on the estuary")
    assert "“We steamed every plank in a drainpipe heated by a wood stove,” said Tom Ellery" in text
    assert "children under twelve travel free." in text
    assert "winter timetable in October" in text
    # sub-headings stay, one block per line, no blank lines
    assert "\nA hull rebuilt plank by plank\n" in text
    assert "\nTimetable and fares\n" in text
    assert "\n\n" not in text


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Harbour ferry returns after two-year repair",  # the headline is the title, not text
        "1.2K Shares",
        "3,415 Views",
        "Share this",
        "Read more",
        "Council revives the estuary bridge plan",
        "Follow us on Telegram",
        "Sign up for our free morning newsletter",
        "Get the Gazette in your inbox",
        "Photo: Harbour Trust",
        "Advertisement",
        "sailed single-handed",  # author box
        "Slipway closed for winter",  # related posts
        "Leave a Reply",
        "Please enter your comment!",
        "Please enter your name here",
        "We use cookies",
        "Recent Posts",
        "Proudly powered by WordPress",
    ],
)
def test_wordpress_boilerplate_removed(wordpress: dict, boilerplate: str) -> None:
    assert boilerplate not in wordpress["text"]


def test_wordpress_metadata(wordpress: dict) -> None:
    assert wordpress["title"] == "Harbour ferry returns after two-year repair"
    assert wordpress["author"] == "Alice Marlow"
    assert wordpress["published"] == "2024-03-14T08:30:00+00:00"
    assert wordpress["language"] == "en"
    assert wordpress["sitename"] == "Riverside Gazette"
    assert wordpress["canonical_url"] == "https://riverside-gazette.example/2024/03/harbour-ferry-returns/"
    assert wordpress["description"].startswith("The Marigold")
    assert "Local" in wordpress["categories"]


def test_newsroom_article_split_across_containers() -> None:
    record = extract(page("newsroom_article.html"))
    text = record["text"]
    assert text.startswith("Sleeper trains across the continent sold more berths")
    # the body continues in a second container after an inline promo
    assert "The main limit on growth is rolling stock." in text
    assert "staffed by crews based at both ends of the line" in text
    for boilerplate in ("Cheap rail passes", "More from Travel", "Ferry strike ends", "Copy link", "12 Comments"):
        assert boilerplate not in text
    assert record["title"] == "Night trains win back sleeper passengers"  # " - The Northern Ledger" dropped
    assert record["author"] == "Jonas Pirk; Ruth Okafor"
    assert record["published"] == "2023-11-02T06:05:00+01:00"  # JSON-LD, with its offset
    assert record["canonical_url"] == "https://ledger.example/travel/night-trains-win-back-passengers-2291"
    assert record["language"] == "en"  # nothing declared: detected from the text


@pytest.mark.parametrize("encoding", [None, "iso-8859-1", "latin-1", "windows-1252"])
def test_windows_1252_curly_quotes(encoding: str | None) -> None:
    record = extract(page("cp1252_article.html"), encoding=encoding)
    text = record["text"]
    assert "they are “cautiously hopeful” about the summer" in text
    assert "“It’s the first spring in years" in text
    assert "shops — work that will start in June and last about six weeks … if" in text
    assert "Maria Cortés" in text
    assert record["title"] == "Café owners ‘cautiously hopeful’"
    assert "\ufffd" not in text


def test_german_article() -> None:
    record = extract(page("german_article.html"))
    text = record["text"]
    assert text.startswith("Die Stadtbibliothek öffnet ab Februar auch am Sonntagnachmittag.")
    assert "\nMehr Platz für Schüler\n" in text
    assert "aus dem laufenden Haushalt." in text
    for boilerplate in ("Lesen Sie auch", "Schwimmbad bleibt", "Folgen Sie uns", "Teilen", "Impressum", "Von Petra"):
        assert boilerplate not in text
    assert record["language"] == "de"
    assert record["author"] == "Petra Hollenbach"
    assert record["title"] == "Stadtbibliothek verlängert Öffnungszeiten"
    assert record["published"] == "2025-01-20T07:15:00+01:00"


def test_str_input_and_utf8_bom() -> None:
    html = page("german_article.html")
    assert extract(html.decode("utf-8"))["text"] == extract(html)["text"]
    assert extract(b"\xef\xbb\xbf" + html, encoding=None)["text"] == extract(html)["text"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty input"),
        ("", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "not html"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 8, "not html"),
        (b"just a line of plain text, no markup at all", "not html"),
        (b"<html><body><nav><ul><li><a href='/'>Home</a></li></ul></nav></body></html>", "no article text found"),
    ],
)
def test_bad_input_gives_reason(body: bytes | str, reason: str) -> None:
    record = extract(body)
    assert set(record) == KEYS
    assert record["text"] == ""
    assert record["word_count"] == 0
    assert record["reason"] == reason


def test_malformed_html_does_not_crash() -> None:
    record = extract(b"<html><body><p>Unclosed <b>tags <div><p>and <<<>>> junk</html></html><p>")
    assert set(record) == KEYS
    assert (record["text"] == "") == (record["reason"] is not None)


def test_too_large_is_refused_quickly() -> None:
    body = b"<html><body>" + b"<p>" + b"word " * 4_000_000 + b"</p></body></html>"  # 20 MB
    start = time.process_time()
    record = extract(body)
    assert record["reason"] == "too large"
    assert time.process_time() - start < 1


def test_deep_nesting_is_bounded() -> None:
    body = b"<html><body>" + b"<div>" * 100_000 + b"<p>deep</p>" + b"</div>" * 100_000 + b"</body></html>"
    start = time.process_time()
    record = extract(body)
    assert set(record) == KEYS
    assert time.process_time() - start < 5


def test_unknown_charset_is_decoded_with_replacement() -> None:
    body = page("wordpress_article.html").replace(b'charset="UTF-8"', b'charset="x-no-such-charset"')
    record = extract(body + b"\xff\xfe\x80", encoding="x-unknown")
    assert "Tom Ellery" in record["text"]


def test_extractor_id_names_versions_and_settings() -> None:
    import morgue

    ident = extractor_id()
    assert ident.startswith(f"morgue {morgue.__version__}; trafilatura ")
    settings = ident.rsplit("; settings ", 1)[1]
    assert len(settings) == 8
    int(settings, 16)
    assert EXTRACTOR_VERSION.startswith("morgue-extract/")


def test_extract_files_writes_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "missing.html")
    out = io.StringIO()
    status = extract_files([str(PAGES / "newsroom_article.html"), missing], None, out)
    assert status == 1
    err = capsys.readouterr().err
    assert missing in err and err.count("\n") == 1
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 2
    assert lines[1]["source"] == missing and lines[1]["text"] == "" and lines[1]["reason"].startswith("unreadable")
    assert lines[0]["source"].endswith("newsroom_article.html")
    assert lines[0]["canonical_url"] == "https://ledger.example/travel/night-trains-win-back-passengers-2291"
    assert "rolling stock" in lines[0]["text"]


def test_extract_files_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(page("german_article.html"))

    monkeypatch.setattr("sys.stdin", Stdin)
    out = io.StringIO()
    assert extract_files(["-"], "https://kreisbote.example/a/1", out) == 0
    record = json.loads(out.getvalue())
    assert record["source"] == "-"
    assert record["language"] == "de"


@pytest.fixture(scope="module")
def teasers() -> dict:
    return extract(page("teasers_article.html"), url="https://northfield-courier.example/news/2026/04/frost-fans")


def test_teasers_page_keeps_story_and_embedded_post(teasers: dict) -> None:
    text = teasers["text"]
    assert text.startswith("Apple growers along the upper valley switched on eleven tall frost fans")
    assert "neighbours who complained about the noise then have so far stayed silent." in text
    # a quoted tweet is part of the story, although its wrapper is named "social-media-embed"
    assert "Frost fans humming over the Kovacs orchard at 3am" in text
    assert "(@uvgrowers)" in text


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Cider festival returns to the town square",  # teaser list after the story: headline + standfirst
        "Organisers expect more stalls than ever before",
        "Market hall roof repairs finished early",
        "follow her on Twitter",  # the author's sign-off
        "Old mill bridge to close",
    ],
)
def test_teasers_page_boilerplate_removed(teasers: dict, boilerplate: str) -> None:
    assert boilerplate not in teasers["text"]


def _page(body: str) -> str:
    return f"<html><head><title>Story</title></head><body>{body}</body></html>"


_PROSE = "".join(
    f"<p>Paragraph {n} of the council report describes the new cycle lanes, the cost of each junction and "
    f"the months of work the contractor expects before the road reopens to buses and delivery vans.</p>"
    for n in range(6)
)
_OTHER_STORIES = [
    "Harbour crane lifts the last span into place",
    "Night market moves to the old tram depot",
    "Library extends opening hours over winter",
]


def test_run_of_other_headlines_inside_text_removed() -> None:
    links = "<ul>" + "".join(f'<li><a href="/s/{n}">{h}</a></li>' for n, h in enumerate(_OTHER_STORIES)) + "</ul>"
    nav = "".join(f'<li><a href="/s/{n}">{h}</a></li>' for n, h in enumerate(_OTHER_STORIES))
    body = f"<nav><ul>{nav}</ul></nav><article>{_PROSE}{links}<p>{'Closing words of the story. ' * 6}</p></article>"
    text = extract(_page(body))["text"]
    assert "Paragraph 5 of the council report" in text
    assert "Closing words of the story." in text
    assert not any(h in text for h in _OTHER_STORIES)


def test_link_round_up_post_is_kept() -> None:
    """A post made of linked headlines with comments is the article: teaser trimming stays off."""
    items = "".join(
        f'<li><a href="/s/{n}">{h}</a> is worth reading for its account of how the work was planned, '
        f"argued over and finally carried out by the people who live nearby.</li>"
        for n, h in enumerate(_OTHER_STORIES)
    )
    body = f"<article><p>{'This week in the city, three stories we liked. ' * 3}</p><ul>{items}</ul></article>"
    text = extract(_page(body))["text"]
    assert all(h in text for h in _OTHER_STORIES)


def test_noisy_first_pass_check() -> None:
    from morgue.extraction.fallback import looks_noisy

    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact us"] * 6)
    story = "\n".join(["A full sentence of the article, long enough to be prose and not a menu entry."] * 30)
    assert looks_noisy(menu + "\n" + story[:200], 20, 3, 0.5)
    assert not looks_noisy(story, 20, 3, 0.5)
    assert not looks_noisy("Home\nNews", 20, 3, 0.5)  # too few lines to judge


@pytest.mark.parametrize(
    "text, code",
    [
        ("Die Stadtbibliothek öffnet ab Februar auch am Sonntagnachmittag, teilte die Verwaltung mit.", "de"),
        ("הספרייה העירונית תיפתח גם בימי שישי אחר הצהריים, כך נמסר מהעירייה היום.", "he"),  # CLD2 says "iw"
        ("Perpustakaan kota akan buka pada hari Minggu sore mulai bulan Februari, kata pemerintah kota.", "id"),
        ("12345 67890 !!! ??? 12345 67890", None),
    ],
)
def test_language_detected_from_text_is_a_current_code(text: str, code: str | None) -> None:
    from morgue.extraction.metadata import detect_language

    assert detect_language(text) == code
