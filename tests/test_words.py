"""Word counts in scripts with and without spaces between words."""

from __future__ import annotations

import pytest

from morgue.extraction import extract
from morgue.extraction.article import explain
from morgue.text.words import count_words

JAPANESE = [
    "市議会は三日、港のフェリーの新しい時刻表を承認した。夜の便が一本増えることになる。",
    "遅い便を求めて署名を集めてきた住民たちは喜んだが、冬の運航は少ないままだという。",
    "運航会社は夏までに甲板員を四人増やす予定で、新しい便は五月一日に初めて出航する。",
    "運賃の見直しは秋に予定されており、市は乗客数の最初の数字を待っているところだ。",
]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The council approved the new timetable.", 6),
        ("Der Rat hat den Fahrplan genehmigt – endlich.", 8),  # a dash between spaces counts, as split() does
        ("서울시는 새 예산을 승인했다.", 4),  # Korean puts spaces between words
        ("市议会周二批准了新预算。", 11),  # Chinese: one per Han character
        ("東京都は3日、予算を承認した。", 13),  # Japanese: Han and kana, and the number
        ("", 0),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def japanese_page() -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in JAPANESE)
    return (
        '<html lang="ja"><head><meta charset="utf-8"><title>フェリーの新時刻表</title></head>'
        f"<body><article><h1>フェリーの新時刻表</h1>{paragraphs}</article></body></html>"
    )


def test_a_japanese_article_counts_its_words() -> None:
    """Split at spaces, this article would be 4 "words" and a corpus's --min-words would drop it as a stub."""
    record = extract(japanese_page().encode())
    assert record["text"].split("\n") == JAPANESE
    assert record["word_count"] == sum(count_words(line) for line in JAPANESE) > 150


def test_a_complete_japanese_article_is_not_suspect() -> None:
    """No second opinion (trafilatura run twice) for a page whose first pass already has all its prose."""
    assert "second" not in explain(japanese_page().encode())
