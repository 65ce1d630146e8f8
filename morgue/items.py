"""What flows through the item pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """A fetched article page, on its way from the spider to extraction and the text record.

    ``body`` is the decoded (not content-encoded) HTML; it is dropped once
    extracted so that no page body outlives its extraction. ``encoding`` is the
    charset the HTTP headers declare, if any: the extractor reads the rest
    (BOM, meta charset, a guess) from the body itself.
    """

    url: str
    requested_url: str
    body: bytes
    encoding: str | None
    warc: dict = field(default_factory=dict)
    discovery: dict = field(default_factory=dict)
    article: dict | None = None
