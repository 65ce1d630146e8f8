"""``sites.toml``: the sites a scheduled crawl covers, each with its own settings.

::

    [defaults]                      # optional: applies to every site
    rate_limit = 1.0                # seconds between requests to one site (DOWNLOAD_DELAY)

    [[site]]
    url = "https://news.example.org/"
    feeds = ["https://news.example.org/feed.xml"]     # used instead of discovery
    sitemaps = ["https://news.example.org/news-sitemap.xml"]
    since = "2026-01-01"            # how far back: a date, or max_age_days = 30
    rate_limit = 2.0
    headers = { "X-Archive-Contact" = "archive@example.org" }
    articles = ["/\\d{4}/\\d{2}/"]  # URL patterns that mark articles (MORGUE_ARTICLE_URLS)
    skip = ["/tag/", "/author/"]    # URL patterns never requested (MORGUE_SKIP_URLS)
    settings = { CONCURRENT_REQUESTS_PER_DOMAIN = 2 }  # any other setting

A bad file is one line naming the file, the line and the key (``ValueError``),
before anything is fetched. Read with ``tomllib`` (Python 3.11+) or ``tomli``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

SITE_KEYS = {"url", "feeds", "sitemaps", "since", "max_age_days", "rate_limit", "headers", "articles", "skip",
             "settings"}


@dataclass
class SiteConfig:
    url: str
    seeds: list[str]  # the root, or the feeds and sitemaps given instead of discovery
    settings: dict[str, Any] = field(default_factory=dict)
    articles: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)


def _toml() -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    return tomllib


def _line_of(text: str, index: int, key: str) -> int:
    """The line of ``key`` in the ``index``-th ``[[site]]`` table (or in ``[defaults]`` for index -1)."""
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\[\s*site\s*\]\]") if index >= 0 else re.compile(r"^\s*\[\s*defaults\s*\]")
    seen, start = -1, None
    for i, line in enumerate(lines):
        if header.match(line):
            seen += 1
            if index < 0 or seen == index:
                start = i
                break
    if start is None:
        return 1
    for i in range(start + 1, len(lines)):
        if re.match(r"^\s*\[", lines[i]):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start + 1


def read_sites(path: str | Path) -> list[SiteConfig]:
    """The sites of ``path``; ValueError (``FILE:LINE: key: what``) for anything wrong."""
    from morgue.discovery.dates import parse_date
    from morgue.discovery.urls import BadURL, check_url

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read sites file {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        data = _toml().loads(text)
    except _toml().TOMLDecodeError as e:
        raise ValueError(f"{path}: invalid TOML: {e}") from None

    def bad(index: int, key: str, what: str) -> ValueError:
        return ValueError(f"{path}:{_line_of(text, index, key)}: {key}: {what}")

    unknown = set(data) - {"site", "defaults"}
    if unknown:
        raise ValueError(f"{path}: unknown table {min(unknown)!r}: use [[site]] and [defaults]")
    sites = data.get("site")
    if not isinstance(sites, list) or not sites:
        raise ValueError(f"{path}: no [[site]] table: each site is a [[site]] with a url")
    defaults = data.get("defaults", {})
    out = []
    for index, raw in enumerate(sites):
        table = {**defaults, **raw}
        where = index if any(k in raw for k in table) else -1
        for key in table:
            if key not in SITE_KEYS:
                raise bad(index if key in raw else -1, key, f"unknown key (known: {', '.join(sorted(SITE_KEYS))})")
        if "url" not in raw:
            raise ValueError(f"{path}:{_line_of(text, index, 'url')}: site {index + 1} has no url")
        try:
            url = check_url(str(raw["url"]))
        except BadURL as e:
            raise bad(index, "url", str(e)) from None
        settings: dict[str, Any] = {}
        seeds = []
        for key in ("feeds", "sitemaps"):
            value = table.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad(where if key in raw else -1, key, "expected a list of URLs")
            try:
                seeds.extend(check_url(v) for v in value)
            except BadURL as e:
                raise bad(index, key, str(e)) from None
        if "since" in table:
            if parse_date(str(table["since"])) is None:
                raise bad(index if "since" in raw else -1, "since", f"invalid date {table['since']!r}: use YYYY-MM-DD")
            settings["MORGUE_SINCE"] = str(table["since"])
        if "max_age_days" in table:
            days = table["max_age_days"]
            if not isinstance(days, (int, float)) or isinstance(days, bool) or days <= 0:
                raise bad(index if "max_age_days" in raw else -1, "max_age_days", "expected a positive number")
            settings["MORGUE_SINCE"] = (datetime.now(timezone.utc) - timedelta(days=days)).date().isoformat()
        if "rate_limit" in table:
            delay = table["rate_limit"]
            if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
                raise bad(index if "rate_limit" in raw else -1, "rate_limit",
                          "expected seconds between requests (a number, 0 or more)")
            settings["DOWNLOAD_DELAY"] = float(delay)
        headers = table.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise bad(index if "headers" in raw else -1, "headers", 'expected a table of strings, e.g. { "X-A" = "b" }')
        if headers:
            settings["DEFAULT_REQUEST_HEADERS"] = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                                                   "Accept-Language": "en", **headers}
        patterns = {}
        for key in ("articles", "skip"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad(index if key in raw else -1, key, "expected a list of regular expressions")
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as e:
                    raise bad(index if key in raw else -1, key, f"invalid pattern {pattern!r}: {e}") from None
            patterns[key] = value
        extra = table.get("settings", {})
        if not isinstance(extra, dict):
            raise bad(index if "settings" in raw else -1, "settings", "expected a table of setting = value")
        if patterns["skip"]:
            settings["MORGUE_SKIP_URLS"] = patterns["skip"]
        if patterns["articles"]:
            settings["MORGUE_ARTICLE_URLS"] = patterns["articles"]  # for the spider: see its docstring
        settings.update(extra)
        out.append(SiteConfig(url=url, seeds=seeds or [url], settings=settings,
                              articles=patterns["articles"], skip=patterns["skip"]))
    return out
