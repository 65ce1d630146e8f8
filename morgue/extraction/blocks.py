"""Teasers of other stories in the extracted text, and the headline at its top.

Generic extractors keep, at the edges of the article container, the headlines of other stories
(a "more from this section" list): lines whose text is the text of a link elsewhere on the page.
Stock phrases (promos, calls to follow, comment prompts) are ``phrases``' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from lxml import etree

from morgue.text.words import count_words

_WS = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[\W_]+")


def _text(el: etree._Element) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip()


def anchor_texts(tree: etree._Element, min_words: int) -> set[str]:
    """Normalised texts of the page's links of at least ``min_words`` words: headlines of other pages."""
    found = set()
    for a in tree.iter("a"):
        text = a.text_content()
        if count_words(text) >= min_words and (norm := _norm(text)):
            found.add(norm)
    return found


def repeats_link(line: str, headlines: AbstractSet[str]) -> bool:
    """The line is the text of one of the page's links (``anchor_texts``), list marker aside."""
    return _norm(line.lstrip("-#* ")) in headlines


def trim_edges(text: str, headlines: set[str], max_share: float) -> str:
    """Remove teasers of other stories: lines that repeat the text of a link on the page.

    Such a line goes at the start or the end of the text, where teasers sit, and anywhere in a run of
    two or more (a list of headlines); a lone one inside the text may be a linked sub-heading or quote.
    List items led by a link's text (a headline and its standfirst) go from the edges only while they
    are at most ``max_share`` of the text, since a link round-up post is made of them.
    """
    if not headlines:
        return text
    text = _trim(text, lambda line: repeats_link(line, headlines))
    text = _drop_runs(text, lambda line: repeats_link(line, headlines), 2)
    trimmed = _trim(text, lambda line: _led_by(line, headlines))
    return trimmed if len(trimmed) >= (1 - max_share) * len(text) else text


def _trim(text: str, is_teaser: Callable[[str], bool]) -> str:
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and is_teaser(lines[start]):
        start += 1
    while end > start and is_teaser(lines[end - 1]):
        end -= 1
    return "\n".join(lines[start:end])


def _drop_runs(text: str, is_teaser: Callable[[str], bool], min_run: int) -> str:
    """Remove runs of at least ``min_run`` consecutive teaser lines: a list of other stories' headlines."""
    lines = text.split("\n")
    flags = [is_teaser(line) for line in lines]
    keep = [True] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and flags[j]:
            j += 1
        if j - i >= min_run:
            keep[i:j] = [False] * (j - i)
        i = max(j, i + 1)
    return "\n".join(line for line, k in zip(lines, keep, strict=True) if k)


def _led_by(line: str, headlines: set[str]) -> bool:
    if not line.startswith("- "):
        return False
    norm = _norm(line)
    return any(norm.startswith(headline) for headline in headlines)


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def drop_leading_headline(body: etree._Element, title: str | None) -> None:
    """The record carries the title separately: drop a first heading that repeats it."""
    first = next((el for el in body if _text(el)), None)
    if first is None or first.tag != "head":
        return
    if title and _norm(_text(first)) and (_norm(_text(first)) in _norm(title) or _norm(title) in _norm(_text(first))):
        _remove(first)


def drop_title_line(text: str, title: str | None) -> str:
    """Text-level twin of ``drop_leading_headline`` for extractors that return plain text."""
    first, _, rest = text.partition("\n")
    if title and rest and _norm(first) and (_norm(first) in _norm(title) or _norm(title) in _norm(first)):
        return rest
    return text


def _norm(text: str) -> str:
    return _NON_ALNUM.sub("", text.lower())
