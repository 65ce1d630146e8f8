"""HTML bytes to an article record: decode, parse, prune, extract, check, clean.

The first pass is trafilatura in fast mode on a tree morgue has already pruned of boilerplate
boxes, with trafilatura's precision mode where it is mostly short lines (menus, tag lists). The
text is cleaned line by line (teasers, stock phrases, sign-offs). More work is spent only where a
cheap check finds that text suspect (almost empty, or well short of the page's prose): trafilatura's
default mode on the page as it came, cleaned the same way, which replaces the first pass only where
the page supports it better (``chooser.prefer_second``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.xml import xmltotxt

from morgue.extraction.blocks import (
    anchor_texts,
    drop_leading_headline,
    drop_title_line,
    trim_edges,
)
from morgue.extraction.chooser import Evidence, features, prefer_second
from morgue.extraction.decode import decode_html, looks_binary, safe_text
from morgue.extraction.fallback import (
    covers,
    is_prose,
    is_suspect,
    looks_noisy,
    looks_truncated,
    paragraph_chars,
    readability_text,
    text_chars,
)
from morgue.extraction.metadata import detect_language, empty_metadata, page_metadata
from morgue.extraction.phrases import cut_comments, drop_boilerplate_lines, drop_sign_off, split_byline
from morgue.extraction.prune import prune_boxes, unmask_embedded_posts
from morgue.extraction.settings import DEFAULT_SETTINGS, ExtractionSettings
from morgue.text.words import count_words

logger = logging.getLogger(__name__)

_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False, encoding="utf-8"
)
# Numeric references to C0 controls: lxml would put the character into the tree, then refuse it later.
_CONTROL_REF = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|127)(?![0-9])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])(?![0-9a-fA-F]));?"
)
_HTML_HINT = ("<html", "<head", "<body", "<p", "<div", "<!doctype", "<meta", "<title", "<article", "<br")


def _record(text: str = "", reason: str | None = None, **metadata: object) -> dict:
    record = empty_metadata()
    record.update(metadata)
    record["text"] = text
    record["word_count"] = count_words(text)
    record["reason"] = None if text else (reason or "no article text found")
    return record


def parse_html(html: str) -> etree._Element | None:
    """Parse once; libxml2 stops at nesting depth 256 (see ``_PARSER.error_log``), so nothing recurses deeply."""
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return tree


def extract(
    body: bytes | str, url: str = "", encoding: str | None = None, *, settings: ExtractionSettings = DEFAULT_SETTINGS
) -> dict:
    """Extract the article text and metadata of one page; never raises on bad input.

    Whatever goes wrong on one page (decoding, parsing, a library's bug on odd markup) gives that page a
    record with a ``reason``, so a batch or a crawl goes on. No field carries control characters or
    lone surrogates.
    """
    try:
        record = _extract(body, url, encoding, settings)
    except Exception as exc:  # noqa: BLE001 -- one page's failure must not cost the others
        logger.warning("Extraction failed on %s: %r", url or "a page", exc)
        record = _record(reason=f"extraction failed ({type(exc).__name__})")
    return _safe_record(record)


def empty_record(reason: str) -> dict:
    """The record of a page that gave no text, for ``reason``."""
    return _safe_record(_record(reason=reason))


def _safe_record(record: dict) -> dict:
    for key, value in record.items():
        if isinstance(value, str):
            record[key] = safe_text(value)
        elif isinstance(value, list):
            record[key] = [safe_text(v) if isinstance(v, str) else v for v in value]
    return record


def explain(
    body: bytes | str, url: str = "", encoding: str | None = None, *, settings: ExtractionSettings = DEFAULT_SETTINGS
) -> dict:
    """The record of one page with how it was chosen: for a suspect page, ``first`` (the cleaned first
    pass), ``second`` (the second opinion) and the chooser's ``features``; for ``benchmarks/train_chooser.py``.
    """
    trace: dict = {}
    trace["record"] = _safe_record(_extract(body, url, encoding, settings, trace))
    return trace


def _extract(
    body: bytes | str, url: str, encoding: str | None, settings: ExtractionSettings, trace: dict | None = None
) -> dict:
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
        html = safe_text(body)
    html = _CONTROL_REF.sub("", html)
    head = html[:65536].lower()
    if not any(hint in head for hint in _HTML_HINT):
        return _record(reason="not html")
    tree = parse_html(html)
    if tree is None:
        return _record(reason="unparseable html")
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _PARSER.error_log):
        return _record(reason="too deeply nested")  # libxml2 stopped at depth 256: the rest of the page is lost
    # Every element but the few the parser implies (html, body, ...) has a "<" in the source: count the
    # tree only when the source could hold too many (the walk costs about 3% of an extraction).
    if html.count("<") >= settings.max_elements // 2 and sum(1 for _ in tree.iter()) > settings.max_elements:
        return _record(reason="too complex")
    metadata = page_metadata(tree, url)
    page_url, title = metadata.get("canonical_url") or url, metadata.get("title")
    prose = paragraph_chars(tree)
    unmask_embedded_posts(tree)
    prune_boxes(tree, prose, settings.form_box_chars)
    page_chars = max(prose, text_chars(tree, settings.suspect_run_chars))
    cleaning = _Cleaning.of(tree, settings)
    text = cleaning.apply(_first_pass(tree, page_url, title, prose, settings))
    if is_suspect(text, page_chars, settings.suspect_share, settings.suspect_min_words):
        # Only here is trafilatura's default run, on the page as it came, with morgue's line cleaning.
        original = parse_html(html)
        second = (
            cleaning.apply(_trafilatura_text(original, page_url, title, fast=False)) if original is not None else ""
        )
        evidence = Evidence(metadata.get("description"), page_chars, cleaning.anchors)
        if trace is not None:
            trace.update(first=text, second=second, features=features(text, second, evidence))
        if prefer_second(text, second, evidence, settings):
            text = second
    if text and len(text) < 200 and _only_link_text(tree, text):
        text = ""  # a page whose "article" is a few navigation links has none
    text, byline, dated = split_byline(text)
    if byline and not metadata["author"]:
        metadata["author"] = byline
    if dated and not metadata["published"]:
        metadata["published"] = dated
    if text and not metadata["language"]:
        metadata["language"] = detect_language(text)
    return _record(text, **metadata)


def _first_pass(tree: etree._Element, url: str, title: str | None, prose: int, settings: ExtractionSettings) -> str:
    """Fast mode on the pruned tree; precision mode where that looks noisy, readability where truncated."""
    text = _trafilatura_text(tree, url, title)
    if looks_noisy(text, settings.noisy_min_lines, settings.noisy_short_words, settings.noisy_short_share):
        precise = _trafilatura_text(tree, url, title, fast=False, precision=True)
        if precise and len(precise) < len(text) and covers(text, precise):
            text = precise
    if looks_truncated(text, prose, settings.fallback_share, settings.fallback_min_chars):
        second = readability_text(tree, url)
        if (
            len(second) > settings.fallback_gain * len(text)
            and covers(second, text)
            and is_prose(second, settings.fallback_short_words, settings.fallback_short_share)
        ):
            text = drop_title_line(second, title)
    return text


@dataclass(frozen=True)
class _Cleaning:
    """morgue's line-level cleaning, with what it needs from the pruned page gathered once."""

    anchors: set[str]
    settings: ExtractionSettings

    @classmethod
    def of(cls, tree: etree._Element, settings: ExtractionSettings) -> _Cleaning:
        return cls(anchor_texts(tree, settings.teaser_min_words), settings)

    def apply(self, text: str) -> str:
        """Teasers of other stories, stock phrases and sign-offs out of the text."""
        text = cut_comments(text, self.settings.comments_min_share, self.settings.comments_early_share)
        text = trim_edges(text, self.anchors, self.settings.teaser_max_share)
        text = drop_boilerplate_lines(text, self.settings.phrase_line_words)
        return drop_sign_off(text, self.settings.sign_off_words)


def _trafilatura_text(
    tree: etree._Element, url: str, title: str | None, *, fast: bool = True, precision: bool = False
) -> str:
    """trafilatura on its own copy of the tree, headline dropped, one block per line.

    The first pass is fast mode; precision mode needs trafilatura's own fallbacks, since in fast
    mode it rejects exactly the cluttered pages it is called for.
    """
    doc = trafilatura.bare_extraction(
        tree, url=url or None, fast=fast, favor_precision=precision, include_comments=False
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
