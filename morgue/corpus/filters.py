"""Which rows an export keeps: publication and fetch dates, site, language, page kind, length.

Filters read only fields the catalogue also holds, so an export decides on the
catalogue alone and fetches the text of the rows it keeps. Dates compare on the
calendar day written in the record (``published`` as the page gave it, ``fetched_at``
in UTC); a record without a publication date fails ``--since``/``--until``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc


def parse_day(value: str, flag: str) -> str:
    """``YYYY-MM-DD`` from a date or an ISO 8601 timestamp; ValueError names the flag."""
    text = (value or "").strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise ValueError(f"invalid {flag} {value!r}: expected a date like 2026-01-31") from None


@dataclass(frozen=True)
class Filters:
    since: str | None = None  # publication day, inclusive
    until: str | None = None
    fetched_since: str | None = None
    fetched_until: str | None = None
    sites: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)
    min_words: int = 0

    def failures(self, table: pa.Table) -> Iterator[tuple[str, pa.ChunkedArray]]:
        """(filter name, mask of the rows of ``table`` that fail it) for each filter that is set.

        The names (``published``, ``fetched``, ``site``, ``language``, ``kind``, ``min_words``)
        are those the summary counts drops under.
        """
        if self.since or self.until:
            yield "published", _outside(table["published"], self.since, self.until)
        if self.fetched_since or self.fetched_until:
            yield "fetched", _outside(table["fetched_at"], self.fetched_since, self.fetched_until)
        if self.sites:
            site = pc.fill_null(table["site"], "")
            ok = pc.is_in(site, pa.array(sorted(self.sites), pa.string()))
            for s in self.sites:  # a site matches its subdomains too
                ok = pc.or_(ok, pc.ends_with(site, "." + s))
            yield "site", pc.invert(ok)
        if self.languages:
            lang = pc.fill_null(table["language"], "")
            yield "language", pc.invert(pc.is_in(lang, pa.array(sorted(self.languages), pa.string())))
        if self.kinds:
            kind = pc.fill_null(table["page_kind"], "article")
            yield "kind", pc.invert(pc.is_in(kind, pa.array(sorted(self.kinds), pa.string())))
        if self.min_words:
            yield "min_words", pc.less(pc.fill_null(table["word_count"], 0), self.min_words)


def _outside(column: pa.ChunkedArray, since: str | None, until: str | None) -> pa.ChunkedArray:
    """Rows whose day (the first 10 characters) is missing or outside [since, until]."""
    day = pc.fill_null(pc.utf8_slice_codeunits(column, 0, 10), "")
    bad = pc.equal(day, "")
    if since:
        bad = pc.or_(bad, pc.less(day, since))
    if until:
        bad = pc.or_(bad, pc.greater(day, until))
    return bad


def normalise_site(value: str) -> str:
    """What ``--site`` accepts: a host or a URL; ``www.`` is dropped as in each row's ``site``."""
    from morgue.corpus.rows import site_of

    value = value.strip()
    host = site_of(value if "://" in value else f"http://{value}")
    if not host:
        raise ValueError(f"invalid --site {value!r}: expected a host name like example.org")
    return host
