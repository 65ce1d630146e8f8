"""Reading the XML documents of discovery (sitemaps, feeds) safely.

No entities, no network, a size bound, and a recovering parser: a sitemap with a
broken tail still gives what comes before the damage, and the damage is reported.
"""

from __future__ import annotations

from lxml import etree

from morgue.discovery.entry import DiscoveryError

#: a sitemap or feed larger than this (decompressed) is refused
MAX_XML_SIZE = 50 * 1024 * 1024

PARSER_ARGS = {
    "resolve_entities": False,
    "no_network": True,
    "recover": True,
    "remove_comments": True,
    "huge_tree": False,
}


def local_name(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def xml_root(body: bytes, what: str, url: str, problems: list[str] | None) -> etree._Element:
    """The document's root; damage that could be read past is reported in ``problems``."""
    if len(body) > MAX_XML_SIZE:
        raise DiscoveryError(f"{what} {url} is larger than {MAX_XML_SIZE} bytes")
    parser = etree.XMLParser(**PARSER_ARGS)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as e:
        raise DiscoveryError(f"{what} {url} is not valid XML: {e}") from None
    if root is None:
        raise DiscoveryError(f"{what} {url} is empty or not XML")
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    if errors and problems is not None:
        problems.append(f"{what} {url} is malformed (line {errors[0].line}: {errors[0].message}); "
                        "read what could be read")
    return root


def xml_kind(body: bytes) -> str | None:
    """``sitemap``, ``sitemapindex``, ``feed`` or None, from the document's root element."""
    head = body[:2048].lstrip()
    if not head.startswith(b"<"):
        return None
    try:
        root = etree.fromstring(body.lstrip(), parser=etree.XMLParser(**PARSER_ARGS))
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    name = local_name(root.tag).lower()
    return {"urlset": "sitemap", "sitemapindex": "sitemapindex", "rss": "feed", "feed": "feed", "rdf": "feed"}.get(name)


def children(el: etree._Element) -> dict[str, etree._Element]:
    return {local_name(c.tag): c for c in el}


def text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""
