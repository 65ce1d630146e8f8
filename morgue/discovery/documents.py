"""Reading the XML documents of discovery (sitemaps, feeds) safely, as a stream.

No entities, no network, and a recovering parser: a sitemap with a broken tail
still gives what comes before the damage, and the damage is reported. Documents
are read with ``iterparse``, each entry's element cleared once read, so a
sitemap of 400,000 URLs never becomes a tree of 400,000 elements in memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import etree

from morgue.discovery.entry import DiscoveryError

PARSER_ARGS = {
    "resolve_entities": False,
    "no_network": True,
    "recover": True,
    "remove_comments": True,
    "huge_tree": False,
}
#: root element names (lower case) of each kind of discovery document
KINDS = {"urlset": "sitemap", "sitemapindex": "sitemapindex", "rss": "feed", "feed": "feed", "rdf": "feed"}


def local_name(tag: object) -> str:
    """``loc`` of ``{http://www.sitemaps.org/schemas/sitemap/0.9}loc``; "" for comments and the like."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def absolute(base: str, url: str) -> str:
    """``url`` against ``base``; an absolute http(s) URL as it is (urljoin was half the cost of a sitemap)."""
    return url if url.startswith(("http://", "https://")) else urljoin(base, url)


def stream(body: bytes, what: str, url: str, problems: list[str] | None,
           entries: frozenset[str]) -> tuple[str, Iterator[etree._Element]]:
    """(the root's local name, each element named in ``entries``, complete, as it ends).

    An element is cleared once the consumer asks for the next one, so hold on
    to what it said, not to the element. Damage that could be read past is
    reported in ``problems`` when the stream ends.
    """
    events = etree.iterparse(io.BytesIO(body.lstrip()), events=("start", "end"), **PARSER_ARGS)
    try:
        _, root = next(events)
    except (StopIteration, etree.XMLSyntaxError):
        raise DiscoveryError(f"{what} {url} is empty or not XML") from None
    return local_name(root.tag), _entries(events, root, what=what, url=url, problems=problems, entries=entries)


def _entries(events, root, *, what: str, url: str, problems: list[str] | None,
             entries: frozenset[str]) -> Iterator[etree._Element]:
    try:
        for event, el in events:
            if event != "end" or local_name(el.tag) not in entries:
                continue
            yield el
            el.clear()
            while el.getprevious() is not None:  # siblings read before it: nothing else holds them
                del el.getparent()[0]
    except etree.XMLSyntaxError as e:  # damage past the point recovery copes with
        if problems is not None:
            problems.append(f"{what} {url} is malformed ({e}); read what could be read")
        return
    finally:
        root.clear()
    errors = [e for e in events.error_log if e.level >= etree.ErrorLevels.ERROR]
    if errors and problems is not None:
        problems.append(f"{what} {url} is malformed (line {errors[0].line}: {errors[0].message}); "
                        "read what could be read")


def xml_kind(body: bytes) -> str | None:
    """``sitemap``, ``sitemapindex``, ``feed`` or None, from the document's root element (read alone)."""
    if not body[:2048].lstrip().startswith(b"<"):
        return None
    try:
        name, _ = stream(body, "document", "", None, frozenset())
    except DiscoveryError:
        return None
    return KINDS.get(name.lower())


def children(el: etree._Element) -> dict[str, etree._Element]:
    return {local_name(c.tag): c for c in el}


def text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""
