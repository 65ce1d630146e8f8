"""Clean the extracted article body block by block (trafilatura's XML: p, head, item, quote...).

What generic extractors keep inside the article container: promo lines linking to other
stories, calls to follow, subscribe or donate, comment-form prompts, ad labels, counters.
They are short, and either mostly link text or led by a stock phrase; real paragraphs are
neither, so both tests are combined with a length bound.
"""

from __future__ import annotations

import re

from lxml import etree

_BLOCK_TAGS = ("p", "head", "item", "quote", "list", "cell", "row", "table")
_WS = re.compile(r"\s+")


def _text(el: etree._Element) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip()


def _link_chars(el: etree._Element) -> int:
    return sum(len(_WS.sub(" ", "".join(ref.itertext())).strip()) for ref in el.iter("ref"))


def _link_blocks(tree: etree._Element, max_words: int) -> list[tuple[etree._Element, str]]:
    """Short leaf blocks of the page whose text is mostly link text: headlines of other stories."""
    found = []
    for el in tree.iter("p", "h2", "h3", "h4", "h5", "h6"):
        text = _WS.sub(" ", el.text_content()).strip()
        if not text or len(text.split()) > max_words:
            continue
        linked = sum(len(_WS.sub(" ", a.text_content()).strip()) for a in el.iter("a"))
        if linked >= 0.8 * len(text) and el.find(".//p") is None and el.find(".//li") is None:
            found.append((el, text))
    return found


def link_block_texts(tree: etree._Element, max_words: int) -> set[str]:
    return {_norm(text) for _, text in _link_blocks(tree, max_words)}


def drop_lines(text: str, unwanted: set[str]) -> str:
    """Remove output lines whose text is one of ``unwanted`` (normalised)."""
    if not unwanted:
        return text
    return "\n".join(line for line in text.split("\n") if _norm(line.lstrip("-#* ")) not in unwanted)


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
    return "".join(ch for ch in text.lower() if ch.isalnum())
