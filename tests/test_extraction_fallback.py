"""The second opinion: when the first pass is suspect, trafilatura's default output, kept where better supported."""

from __future__ import annotations

import dataclasses

import pytest

from morgue.extraction import extract
from morgue.extraction.chooser import Evidence, prefer_second
from morgue.extraction.fallback import described, is_prose, is_suspect, shared
from morgue.extraction.settings import DEFAULT_SETTINGS

STORY = [
    f"Paragraph {n}: the regional court heard on Tuesday how the river authority let the old weir decay for "
    f"a decade before the spring flood of {2010 + n} carried it away with half of the mill lane."
    for n in range(8)
]
DESCRIPTION = "Regional court hears how the river authority let the old weir decay before the flood"
NO_MODEL = dataclasses.replace(DEFAULT_SETTINGS, second_model=False)
OTHER = "\n".join(
    f"Match report {n}: the visitors scored twice in the second half and the home side never recovered from it."
    for n in range(6)
)


def test_suspect_when_almost_empty_or_short_of_the_prose() -> None:
    text = "\n".join(STORY)
    assert is_suspect("", 5000, 0.5, 50)
    assert is_suspect("Home News Sport", 0, 0.5, 50)
    assert is_suspect(STORY[0] + "\n" + STORY[1], len(text), 0.5, 50)
    assert not is_suspect(text, len(text), 0.5, 50)


def test_second_opinion_replaces_an_almost_empty_first_pass() -> None:
    assert prefer_second("Share this", "\n".join(STORY), Evidence(), DEFAULT_SETTINGS)
    assert not prefer_second("Share this", "", Evidence(), DEFAULT_SETTINGS)


def test_second_opinion_on_another_region_needs_the_description() -> None:
    story = "\n".join(STORY)
    assert shared(OTHER, story) == 0.0
    assert described(story, DESCRIPTION) > described(OTHER, DESCRIPTION) + 0.2
    assert prefer_second(OTHER, story, Evidence(DESCRIPTION), NO_MODEL)
    assert not prefer_second(OTHER, story, Evidence(), NO_MODEL)  # no evidence either way: keep the first
    assert not prefer_second(story, OTHER, Evidence(DESCRIPTION), NO_MODEL)


def test_second_opinion_that_only_adds_to_the_first_is_left_to_the_model() -> None:
    """Without the learned judge, a second opinion in the same region replaces the first only when the
    first is a fragment of it (under a fifth of its length)."""
    first = "\n".join(STORY[:4])
    assert not prefer_second(first, "\n".join(STORY), Evidence(DESCRIPTION), NO_MODEL)
    assert prefer_second(STORY[0], "\n".join(STORY), Evidence(), NO_MODEL)


def test_prose_check_of_the_readability_fallback() -> None:
    assert is_prose("\n".join(STORY), 5, 0.1)
    listing = "\n".join(f"{line}\nNovember 0{n}" for n, line in enumerate(STORY[:4], 1))
    assert not is_prose(listing, 5, 0.1)


def test_empty_first_pass_takes_trafilaturas_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wiring: a first pass that found nothing is replaced by trafilatura's default output, cleaned."""
    body = "".join(f"<p>{line}</p>" for line in [*STORY, "Follow us on Telegram"])
    html = (
        f'<html><head><title>Weir case</title><meta name="description" content="{DESCRIPTION}"></head>'
        f"<body><article>{body}</article></body></html>"
    )
    monkeypatch.setattr("morgue.extraction.article._first_pass", lambda *args: "")
    record = extract(html)
    assert record["reason"] is None
    assert STORY[0] in record["text"] and STORY[-1] in record["text"]
    assert "Follow us" not in record["text"]  # morgue's line cleaning applies to the second opinion too


def test_readability_reads_a_parsed_page_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    """The fallback hands readability-lxml markup: older releases (the floor, 0.8.1) take no tree and
    printed a traceback for every page it was asked about."""
    import logging

    import lxml.html

    from morgue.extraction.fallback import readability_text

    story = " ".join(f"The council met on day {n} and voted on the harbour budget." for n in range(40))
    tree = lxml.html.fromstring(f"<html><body><nav><a href='/'>Home</a></nav><article><p>{story}</p>"
                                "</article><footer>Contact us</footer></body></html>")
    text = readability_text(tree, "https://news.example.org/a")
    assert "voted on the harbour budget" in text and "Contact us" not in text
    assert readability_text(lxml.html.fromstring("<html><body><p>Hi</p></body></html>"), "") in ("", "Hi")
    assert "Traceback" not in capsys.readouterr().err
    assert logging.getLogger("readability").getEffectiveLevel() > logging.ERROR
