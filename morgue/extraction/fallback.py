"""The cheap failure check on the first pass and the second extractor it may call in.

Running two extractors on every page doubles the cost for a gain on few pages; instead the
first pass is compared with the page's own paragraph text, which costs one walk over <p>.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

_WORD = re.compile(r"\w+")
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


def looks_truncated(text: str, page_chars: int, share: float, min_chars: int) -> bool:
    """The first pass kept less than ``share`` of a page that has real prose."""
    return page_chars >= min_chars and len(text) < share * page_chars


def looks_noisy(text: str, min_lines: int, short_words: int, short_share: float) -> bool:
    """The first pass is mostly short lines (menus, tag clouds, archive lists): a page it did not isolate."""
    lines = text.split("\n")
    if len(lines) < min_lines:
        return False
    short = sum(1 for line in lines if len(line.split()) <= short_words)
    return short >= short_share * len(lines)


def readability_text(tree: etree._Element, url: str) -> str:
    """readability-lxml's article on a copy of the tree, as newline-separated blocks."""
    import lxml.html
    from readability import Document

    try:
        summary = Document(copy.deepcopy(tree), url=url or None).summary(html_partial=True)
    except Exception:  # noqa: BLE001 -- readability raises bare Exceptions on odd pages
        return ""
    root = lxml.html.fragment_fromstring(summary, create_parent="div")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def covers(longer: str, shorter: str, share: float = 0.8) -> bool:
    """Most of ``shorter``'s words, in 4-word runs, are also in ``longer``: a superset, not a different region."""
    small = _shingles(shorter)
    if not small:
        return True
    return len(small & _shingles(longer)) >= share * len(small)


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    return {tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3))}
