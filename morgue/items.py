"""What flows through the item pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """A fetched article page, on its way from the spider to extraction and the text record.

    ``body`` is the decoded (not content-encoded) HTML; it is dropped once
    extracted so that no page body outlives its extraction. ``encoding`` is the
    charset the HTTP headers declare, if any: the extractor reads the rest
    (BOM, meta charset, a guess) from the body itself. ``kind`` is ``article``, or
    ``other`` for a page a sitemap or feed listed that is not said to be an article.
    """

    url: str
    requested_url: str
    body: bytes
    encoding: str | None
    warc: dict = field(default_factory=dict)
    discovery: dict = field(default_factory=dict)
    article: dict | None = None
    #: what the page is (``morgue.discovery.pages.classify``): article, listing or other
    kind: str = "article"
