"""JSON-LD in HTML pages: found by a byte scan, loaded safely, walked to a bounded depth.

A page's JSON-LD is data written by strangers: a block nested 100,000 deep
makes ``json.loads`` raise RecursionError, so loading catches it as it
catches malformed JSON, and walking stops at ``MAX_DEPTH``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

#: schema.org types (lower case) of a single article, story or post
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "blogposting",
    "liveblogposting", "report", "techarticle", "scholarlyarticle", "socialmediaposting",
    "discussionforumposting", "posting",
})
#: how deep objects are looked for (``@graph``, ``mainEntity`` and lists each count one)
MAX_DEPTH = 6
#: bytes of a page searched for JSON-LD blocks
SCAN_BYTES = 2_000_000

_BLOCK = re.compile(rb"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def loads(text: str | bytes) -> object | None:
    """The parsed block, or None when it is not JSON (or nested too deep to parse)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def blocks(body: bytes) -> Iterator[object]:
    """The parsed JSON-LD blocks of an HTML page, malformed ones skipped."""
    for m in _BLOCK.finditer(body, 0, SCAN_BYTES):
        data = loads(m.group(1).decode("utf-8", "replace"))
        if data is not None:
            yield data


def objects(node: object, depth: int = 0) -> Iterator[dict]:
    """Every object of a block: the top ones, lists, ``@graph`` and ``mainEntity``, to ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for n in node:
            yield from objects(n, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity"):
            if isinstance(node.get(key), (dict, list)):
                yield from objects(node[key], depth + 1)


def types(obj: dict) -> set[str]:
    """An object's ``@type`` values, lower case (``@type`` may be a string or a list)."""
    value = obj.get("@type")
    return {v.lower() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)}


def page_types(body: bytes) -> set[str]:
    """Every type named by the page's JSON-LD."""
    found: set[str] = set()
    for block in blocks(body):
        for obj in objects(block):
            found |= types(obj)
    return found
