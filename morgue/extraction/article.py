"""HTML bytes to an article record: decode, parse, prune, extract, check, clean.

The first pass is trafilatura in fast mode on a tree morgue has already pruned of boilerplate.
More work is spent only where a cheap check says the first pass failed: trafilatura's precision
mode when it is mostly short lines (menus, tag lists), a second extractor when it lost most of
the article's prose. The text is then cleaned line by line (teasers, stock phrases, sign-offs).
"""

from __future__ import annotations

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.xml import xmltotxt

from morgue.extraction.blocks import (
    anchor_texts,
    drop_leading_headline,
    drop_lines,
    drop_title_line,
    link_block_texts,
    trim_edges,
)
from morgue.extraction.decode import decode_html, looks_binary
from morgue.extraction.fallback import covers, looks_noisy, looks_truncated, paragraph_chars, readability_text
from morgue.extraction.metadata import detect_language, empty_metadata, page_metadata
from morgue.extraction.phrases import drop_boilerplate_lines, drop_sign_off, split_byline
from morgue.extraction.prune import prune_boxes, unmask_embedded_posts
from morgue.extraction.settings import DEFAULT_SETTINGS, ExtractionSettings

_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False, encoding="utf-8"
)
_HTML_HINT = ("<html", "<head", "<body", "<p", "<div", "<!doctype", "<meta", "<title", "<article", "<br")


def _record(text: str = "", reason: str | None = None, **metadata: object) -> dict:
    record = empty_metadata()
    record.update(metadata)
    record["text"] = text
    record["word_count"] = len(text.split())
    record["reason"] = None if text else (reason or "no article text found")
    return record


def parse_html(html: str) -> etree._Element | None:
    """Parse once; libxml2 caps nesting depth (255), so pathological nesting cannot recurse deeply."""
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return tree


def extract(
    body: bytes | str, url: str = "", encoding: str | None = None, *, settings: ExtractionSettings = DEFAULT_SETTINGS
) -> dict:
    """Extract the article text and metadata of one page; never raises on bad input."""
    if not body:
        return _record(reason="empty input")
    size = len(body) if isinstance(body, bytes) else len(body.encode("utf-8", "replace"))
    if size > settings.max_input_bytes:
        return _record(reason="too large")
    if isinstance(body, bytes):
        if looks_binary(body):
            return _record(reason="not html")
        html = decode_html(body, encoding)
    else:
        html = body
    head = html[:65536].lower()
    if not any(hint in head for hint in _HTML_HINT):
        return _record(reason="not html")
    tree = parse_html(html)
    if tree is None:
        return _record(reason="unparseable html")
    n_elements = sum(1 for _ in tree.iter())
    if n_elements > settings.max_elements:
        return _record(reason="too complex")
    metadata = page_metadata(tree, url)
    unmask_embedded_posts(tree)
    prune_boxes(tree, paragraph_chars(tree))
    text = _article_text(tree, metadata.get("canonical_url") or url, metadata.get("title"), settings)
    if text and len(text) < 200 and _only_link_text(tree, text):
        text = ""  # a page whose "article" is a few navigation links has none
    text, byline = split_byline(text)
    if byline and not metadata["author"]:
        metadata["author"] = byline
    if text and not metadata["language"]:
        metadata["language"] = detect_language(text)
    return _record(text, **metadata)


def _article_text(tree: etree._Element, url: str, title: str | None, settings: ExtractionSettings) -> str:
    """First pass, precision pass if it looks noisy, second extractor if truncated, then line cleaning."""
    text = _trafilatura_text(tree, url, title, precision=False)
    if looks_noisy(text, settings.noisy_min_lines, settings.noisy_short_words, settings.noisy_short_share):
        precise = _trafilatura_text(tree, url, title, precision=True)
        if precise and len(precise) < len(text) and covers(text, precise):
            text = precise
    if looks_truncated(text, paragraph_chars(tree), settings.fallback_share, settings.fallback_min_chars):
        second = readability_text(tree, url)
        if len(second) > settings.fallback_gain * len(text) and covers(second, text):
            text = drop_title_line(second, title)
    text = drop_lines(text, link_block_texts(tree, settings.short_line_words))
    text = trim_edges(text, anchor_texts(tree, settings.teaser_min_words), settings.teaser_max_share)
    text = drop_boilerplate_lines(text, settings.phrase_line_words)
    return drop_sign_off(text, settings.sign_off_words)


def _trafilatura_text(tree: etree._Element, url: str, title: str | None, *, precision: bool) -> str:
    """trafilatura on its own copy of the tree, headline dropped, one block per line.

    The first pass is fast mode; precision mode needs trafilatura's own fallbacks, since in fast
    mode it rejects exactly the cluttered pages it is called for.
    """
    doc = trafilatura.bare_extraction(
        tree, url=url or None, fast=not precision, favor_precision=precision, include_comments=False
    )
    if doc is None or doc.body is None:
        return ""
    drop_leading_headline(doc.body, title)
    return _tidy(xmltotxt(doc.body, False))


def _tidy(text: str) -> str:
    """One block per line, inner whitespace collapsed, no empty lines."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _only_link_text(tree: etree._Element, text: str) -> bool:
    anchors = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    return all(line in anchors for line in text.split("\n"))
