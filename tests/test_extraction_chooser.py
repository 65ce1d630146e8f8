"""The choice between the first pass and the second opinion: the prose gate, the hand rules, the learned judge."""

from __future__ import annotations

import dataclasses
import json
from importlib.resources import files
from pathlib import Path

import lxml.html
import pytest

from morgue.extraction import chooser, extract
from morgue.extraction.article import explain
from morgue.extraction.chooser import FEATURES, Evidence, features, load_model, prefer_second, prefers_second
from morgue.extraction.fallback import paragraph_chars, text_chars
from morgue.extraction.settings import DEFAULT_SETTINGS

WORDS = ("the", "harbour", "board", "met", "on", "tuesday", "and", "agreed", "to", "rebuild", "the", "sea", "wall")
STORY = [
    f"Paragraph {n}: " + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(45)) + f" in the year {1990 + n}."
    for n in range(10)
]
URL = "https://news.example.org/2026/12/harbour-wall"
INTRO_AND_LIST = f"<p>{STORY[0]}</p><p>{STORY[1]}</p><dl><dd>{'<br><br>'.join(STORY[2:])}</dd></dl>"


def _page(content: str) -> str:
    """An old table layout: navigation in the left cell, the story in the right one."""
    nav = "".join(f'<tr><td><a href="/section/{n}">Section {n}</a></td></tr>' for n in range(12))
    return (
        "<html><head><title>Harbour wall to be rebuilt</title></head><body>"
        f"<table><tr><td><table>{nav}</table></td><td><h1>Harbour wall to be rebuilt</h1>{content}</td></tr></table>"
        "<div>Copyright 2026 Harbour Times</div></body></html>"
    )


def test_prose_outside_paragraphs_is_counted() -> None:
    """Table cells and text between <br>s are prose too; link text and scripts are not."""
    tree = lxml.html.fromstring(
        _page(f"<table><tr><td>{'<br><br>'.join(STORY[:4])}</td></tr></table><script>var x = '{STORY[5]}';</script>")
    )
    assert paragraph_chars(tree) == 0
    assert text_chars(tree) == sum(len(p) for p in STORY[:4])


def test_teaser_cards_inside_links_are_not_prose() -> None:
    """A card of another story (headline and summary in their own elements within one <a href>) is link
    text, however deep; an <a> never closed, wrapping the page, is not a link's text."""
    card = '<a href="/other"><div><strong>{}</strong><em>{}</em></div></a>'
    cards = lxml.html.fromstring(_page("".join(card.format(STORY[n][:60], STORY[n]) for n in range(3))))
    assert text_chars(cards) == 0
    unclosed = lxml.html.fromstring(_page(f'<a name="top"><div>{"<br>".join(STORY[:4])}</div>'))
    assert text_chars(unclosed) == sum(len(p) for p in STORY[:4])
    wrapped = lxml.html.fromstring(_page(f'<a href="/"><div>{"<br>".join(STORY[:4])}</div>'))
    assert text_chars(wrapped) == sum(len(p) for p in STORY[:4])


def test_article_held_outside_paragraphs_is_not_cut_to_its_intro() -> None:
    """Two <p>s of intro and the story in a definition list: the first pass keeps the intro only. The
    page's prose outside <p> makes that suspect, and the judge takes trafilatura's default output, which
    holds the whole story. Without counting that prose the page is not suspect and keeps the intro."""
    html = _page(INTRO_AND_LIST)
    record = extract(html, URL)
    assert all(paragraph[:70] in record["text"] for paragraph in STORY)
    unseen = dataclasses.replace(DEFAULT_SETTINGS, suspect_run_chars=10**9)
    trace = explain(html, URL, settings=unseen)
    assert "first" not in trace  # not suspect: the second opinion was never asked
    assert STORY[5][:70] not in trace["record"]["text"]


def test_explain_shows_both_texts_of_a_suspect_page() -> None:
    html = _page(INTRO_AND_LIST)
    trace = explain(html, URL)
    assert trace["record"] == extract(html, URL)
    assert STORY[0][:70] in trace["first"] and STORY[9][:70] not in trace["first"]
    assert STORY[9][:70] in trace["second"]
    assert len(trace["features"]) == len(FEATURES)


MATCH = "\n".join(f"Match report {n}: the visitors scored twice, the home side never recovered." for n in range(3))


def test_judge_takes_the_second_where_the_first_latched_onto_another_block() -> None:
    second = "\n".join(STORY)
    assert prefers_second(features(MATCH, second, Evidence(None, len(second))))
    assert prefer_second(MATCH, second, Evidence(None, len(second)), DEFAULT_SETTINGS)


def test_second_never_replaces_a_first_that_holds_the_description() -> None:
    """The publisher's description is in the first text and not in the second: the first stays, whatever
    the judge would say; with the guard off the judge's call goes through."""
    second, page = "\n".join(STORY), Evidence("Visitors scored twice; home side never recovered", len("\n".join(STORY)))
    assert not prefer_second(MATCH, second, page, DEFAULT_SETTINGS)
    unguarded = dataclasses.replace(DEFAULT_SETTINGS, second_guard_margin=10**9)
    assert prefer_second(MATCH, second, page, unguarded)


def test_judge_keeps_the_first_where_the_second_adds_links_and_labels() -> None:
    """What a second opinion adds on a news page is often other stories' headlines, share labels and
    notices: the first pass stays."""
    first = "\n".join(STORY[:5])
    headlines = [f"More from the coast: ferry timetable {n} changes again this winter" for n in range(8)]
    links = frozenset(" ".join(h.lower().replace(":", "").split()) for h in headlines)
    second = "\n".join([*STORY[:5], *headlines, "Share", "Print", "Email", "All rights reserved."])
    assert not prefers_second(features(first, second, Evidence(None, len(second), links)))


def test_shipped_model_is_package_data_for_these_features() -> None:
    model = json.loads(files("morgue.extraction").joinpath("chooser.json").read_text(encoding="utf-8"))
    assert model["features"] == list(FEATURES)
    assert len(model["weights"]) == len(model["mean"]) == len(model["scale"]) == len(FEATURES)
    assert set(model["trained_on"]) == {"aeb", "dragnet", "fundus"} and model["split"] == "dev"
    assert load_model()["bias"] == model["bias"]


def test_a_model_for_other_features_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "chooser.json").write_text(json.dumps({"features": ["length"], "weights": [1.0]}), encoding="utf-8")
    monkeypatch.setattr(chooser, "files", lambda package: tmp_path)
    load_model.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"train_chooser\.py"):
            load_model()
    finally:
        load_model.cache_clear()
