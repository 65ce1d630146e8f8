"""The cheap checks on the first pass, and the second opinions they call in.

Running two extractors on every page doubles the cost for a gain on few pages; instead the
first pass is compared with the page's own prose, which costs a walk over the tree: its <p>
text, or for pages that hold their text in table cells or between <br>s, its long runs of text
outside links. Only a suspect first pass (almost empty, or well short of the page's prose) is
compared with trafilatura's default output; ``chooser`` decides which of the two to keep.

Every threshold (``ExtractionSettings``) was chosen on the development splits of AEB, Dragnet and
Fundus, where it helped or left level each of the three, and kept only where it lowered no set's
held-out split (``benchmarks/extraction.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

from lxml import etree

from morgue.text.words import TOKEN, count_words

_BLOCKS = frozenset(
    {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre", "section", "article",
     "ul", "ol", "table", "figure", "header", "footer", "dd", "dt"}
)  # fmt: skip


def paragraph_chars(tree: etree._Element, min_chars: int = 30) -> int:
    """Characters of the page's prose: <p> elements of some length that are not mostly links."""
    total = 0
    for p in tree.iter("p"):
        n = len(p.text_content().strip())
        if n < min_chars:
            continue
        linked = sum(len(a.text_content()) for a in p.iter("a"))
        if linked * 2 < n:
            total += n
    return total


_NOT_PROSE = frozenset({"a", "script", "style", "noscript", "option", "select", "textarea", "button", "title"})


def text_chars(tree: etree._Element, min_chars: int = 40, max_link_chars: int = 1000) -> int:
    """Characters of the page's runs of text of at least ``min_chars`` outside links, scripts and forms.

    The prose of pages without <p>: table layouts, text between <br>s, preformatted posts. Runs deeper
    inside a link do not count either: teaser cards, whose headline and summary sit in their own elements
    within one <a href>. A "link" of more than ``max_link_chars`` is a markup slip (an <a> never closed)
    and holds page text.
    """
    links = (
        link for link in tree.iter("a") if link.get("href") is not None and len(link.text_content()) <= max_link_chars
    )
    linked = sum(_run_chars(link.iterdescendants(), min_chars, inside=link) for link in links)
    return _run_chars(tree.iter(), min_chars) - linked


def _run_chars(elements: Iterable[etree._Element], min_chars: int, inside: etree._Element | None = None) -> int:
    """Characters of the long runs among ``elements``: their texts, unless they are links, scripts, ...; their
    tails, unless their parent is one, or is ``inside`` (whose own text the caller has counted)."""
    total = 0
    for el in elements:
        if not isinstance(el.tag, str):
            continue
        if el.tag not in _NOT_PROSE and el.text and len(text := el.text.strip()) >= min_chars:
            total += len(text)
        parent = el.getparent()
        if el.tail and (parent is None or (parent is not inside and parent.tag not in _NOT_PROSE)):
            total += len(tail) if len(tail := el.tail.strip()) >= min_chars else 0
    return total


def looks_truncated(text: str, page_chars: int, share: float, min_chars: int) -> bool:
    """The first pass kept less than ``share`` of a page that has real prose."""
    return page_chars >= min_chars and len(text) < share * page_chars


def looks_noisy(text: str, min_lines: int, short_words: int, short_share: float) -> bool:
    """The first pass is mostly short lines (menus, tag clouds, archive lists): a page it did not isolate."""
    lines = text.split("\n")
    if len(lines) < min_lines:
        return False
    short = sum(1 for line in lines if count_words(line) <= short_words)
    return short >= short_share * len(lines)


def readability_text(tree: etree._Element, url: str) -> str:
    """readability-lxml's article on a copy of the tree, one block per line, repeated lines once.

    readability's summary sometimes holds a block twice (a container and its copy); a text that
    repeats its paragraphs is never the article.
    """
    import lxml.html
    from readability import Document

    # Serialised, not the tree itself: readability-lxml before 0.8.4 reads only markup. Its own
    # log line with a traceback for a page it cannot read is silenced: that page's answer is "".
    logging.getLogger("readability").setLevel(logging.CRITICAL)
    try:
        summary = Document(lxml.html.tostring(tree, encoding="unicode"), url=url or None).summary(html_partial=True)
    except Exception:  # noqa: BLE001 -- readability raises bare Exceptions on odd pages
        return ""
    root = lxml.html.fragment_fromstring(summary, create_parent="div")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(dict.fromkeys(line for line in lines if line))


def is_prose(text: str, short_words: int, max_short_share: float) -> bool:
    """Less than ``max_short_share`` of the lines have ``short_words`` words or fewer: paragraphs,
    not the dates, headlines and labels of a list of other posts."""
    lines = text.split("\n")
    return sum(1 for line in lines if count_words(line) <= short_words) < max_short_share * len(lines)


def covers(longer: str, shorter: str, share: float = 0.8) -> bool:
    """Most of ``shorter``'s words, in 4-word runs, are also in ``longer``: a superset, not a different region."""
    return shared(shorter, longer) >= share


def shared(text: str, other: str) -> float:
    """Share of ``text``'s 4-word runs also in ``other`` (1.0 for an empty ``text``)."""
    small = _shingles(text)
    if not small:
        return 1.0
    return len(small & _shingles(other)) / len(small)


def is_suspect(text: str, page_chars: int, share: float, min_words: int) -> bool:
    """The first pass is almost empty, or well short of the page's prose: worth a second opinion."""
    return count_words(text) < min_words or len(text) < share * page_chars


def described(text: str, description: str) -> float:
    """Share of the description's distinct words (lower case) that the text has."""
    wanted = set(TOKEN.findall(description.lower()))
    if not wanted:
        return 0.0
    return len(wanted & set(TOKEN.findall(text.lower()))) / len(wanted)


@lru_cache(maxsize=4)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The text's 4-word runs. A suspect page compares the same two texts up to three times (``covers``,
    the region check, the judge's features), so the last few are kept."""
    tokens = TOKEN.findall(text)
    return frozenset(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)))
