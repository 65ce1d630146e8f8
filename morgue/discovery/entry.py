"""What a sitemap, feed or link announced: a URL and what the source said of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from morgue.discovery.dates import parse_date


class DiscoveryError(ValueError):
    """A sitemap or feed that cannot be read; the message says why in one line."""


@dataclass
class Entry:
    """A URL that a sitemap, feed or page announced, with what the source said of it."""

    url: str
    via: str  # sitemap, news-sitemap, feed, link
    #: what the source said; for a link, ``anchor_text`` and the ``listed_date`` a listing showed beside it
    info: dict = field(default_factory=dict)

    def date(self) -> datetime | None:
        for key in ("publication_date", "published", "updated", "lastmod", "listed_date"):
            if self.info.get(key):
                parsed = parse_date(self.info[key])
                if parsed:
                    return parsed
        return None
