"""Reading morgue's settings with errors that name the setting, and checking a run's settings up front.

Scrapy's ``getint`` and ``getbool`` raise errors that do not say which
setting was wrong; a user with a typo in a cron line needs to be told.
``check_settings`` does the same for the Scrapy settings users touch most,
before anything is fetched, and finds names that look misspelt: Scrapy
ignores a setting it does not know, so ``-s CONCURENT_REQUESTS=2`` would
otherwise pass in silence.
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

#: Every MORGUE_* setting morgue reads. A component that reads a new one adds it here
#: (tests/test_cli_settings.py checks the code against this list).
MORGUE_SETTINGS = frozenset({
    # the store and the spool
    "MORGUE_STORE", "MORGUE_STORES", "MORGUE_SPOOL", "MORGUE_UPLOAD_TIMEOUT",
    "MORGUE_S3_RETRY_MODE", "MORGUE_S3_MAX_ATTEMPTS", "MORGUE_S3_MULTIPART_THRESHOLD",
    "MORGUE_S3_MULTIPART_CHUNKSIZE", "MORGUE_S3_MAX_CONCURRENCY", "MORGUE_S3_CHECKSUM_ALGORITHM",
    "MORGUE_S3_CONTENT_MD5", "MORGUE_S3_CONNECT_TIMEOUT", "MORGUE_S3_READ_TIMEOUT",
    # what the archive holds
    "MORGUE_WARC_ENABLED", "MORGUE_WARC_PREFIX", "MORGUE_WARC_MAX_SIZE",
    "MORGUE_TEXT_ENABLED", "MORGUE_TEXT_MAX_SIZE", "MORGUE_OPERATOR",
    # what is crawled
    "MORGUE_MAX_PAGES", "MORGUE_SINCE", "MORGUE_FOLLOW_DEPTH", "MORGUE_FEED_PATHS",
    "MORGUE_FETCH_DOCUMENTS", "MORGUE_LINKS_FROM_LISTED",
    "MORGUE_MAX_SITEMAPS", "MORGUE_SITEMAP_DEPTH", "MORGUE_MAX_FEEDS",
    # incremental and scheduled crawls
    "MORGUE_STATE_ENABLED", "MORGUE_FULL", "MORGUE_RECHECK_DAYS", "MORGUE_LOCK_ENABLED", "MORGUE_LOCK_STALE",
    "MORGUE_MIN_FREE_SPACE", "MORGUE_REPORTS_ENABLED", "MORGUE_QUIET",
    "MORGUE_SKIP_URLS", "MORGUE_ARTICLE_URLS",
    # distributed crawls
    "MORGUE_REDIS_URL", "MORGUE_IDLE_EXIT", "MORGUE_WORKER_TIMEOUT", "MORGUE_SITE_DELAY", "MORGUE_DISTRIBUTED_SITE",
    # extraction
    "MORGUE_EXTRACT_WORKERS", "MORGUE_EXTRACT_TIMEOUT", "MORGUE_EXTRACT_RECYCLE",
    # politeness
    "MORGUE_CONTACT", "MORGUE_RETRY_AFTER_MAX", "MORGUE_RETRY_AFTER_TIMES",
    # output
    "MORGUE_PROGRESS", "MORGUE_PROGRESS_INTERVAL", "MORGUE_REPORT_ENABLED",
    # listing pages (the news spider)
    "MORGUE_LISTING_DEPTH", "MORGUE_LISTING_PAGES", "MORGUE_MAX_LISTINGS",
    # morgue save and serve (the on-demand service)
    "MORGUE_SSRF_GUARD", "MORGUE_ALLOWED_NETWORKS", "MORGUE_API_TOKEN", "MORGUE_SERVICE_JOBS",
    "MORGUE_SERVICE_MAX_PAGE_SIZE", "MORGUE_SERVICE_MAX_REQUEST_SIZE", "MORGUE_SERVICE_MAX_URLS",
    "MORGUE_SERVICE_RATE_LIMIT", "MORGUE_SERVICE_RECENT",
})

#: Scrapy's numeric settings that morgue's users set most: name -> (type, minimum).
SCRAPY_NUMBERS: dict[str, tuple[type, float]] = {
    "DOWNLOAD_DELAY": (float, 0), "DOWNLOAD_TIMEOUT": (float, 0),
    "DOWNLOAD_MAXSIZE": (int, 0), "DOWNLOAD_WARNSIZE": (int, 0),
    "CONCURRENT_REQUESTS": (int, 0), "CONCURRENT_REQUESTS_PER_DOMAIN": (int, 1),
    "CONCURRENT_REQUESTS_PER_IP": (int, 0), "CONCURRENT_ITEMS": (int, 1),
    "AUTOTHROTTLE_START_DELAY": (float, 0), "AUTOTHROTTLE_MAX_DELAY": (float, 0),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": (float, 0),
    "RETRY_TIMES": (int, 0), "REDIRECT_MAX_TIMES": (int, 0), "DEPTH_LIMIT": (int, 0),
    "CLOSESPIDER_TIMEOUT": (float, 0), "CLOSESPIDER_ITEMCOUNT": (int, 0),
    "CLOSESPIDER_PAGECOUNT": (int, 0), "CLOSESPIDER_ERRORCOUNT": (int, 0),
    "MEMUSAGE_LIMIT_MB": (int, 0), "MEMUSAGE_WARNING_MB": (int, 0),
    "LOGSTATS_INTERVAL": (float, 0), "REACTOR_THREADPOOL_MAXSIZE": (int, 1),
}
#: Scrapy's true/false settings that morgue's users set most.
SCRAPY_FLAGS = (
    "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_DEBUG", "RANDOMIZE_DOWNLOAD_DELAY",
    "RETRY_ENABLED", "REDIRECT_ENABLED", "METAREFRESH_ENABLED", "COOKIES_ENABLED",
    "COMPRESSION_ENABLED", "HTTPCACHE_ENABLED", "DOWNLOAD_FAIL_ON_DATALOSS", "DNSCACHE_ENABLED",
    "LOG_ENABLED", "LOG_STDOUT", "LOG_SHORT_NAMES", "MEMUSAGE_ENABLED",
    "TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED",
)
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def number(settings: Any, name: str, default: float, kind: type = int, minimum: float | None = None) -> Any:
    value = settings.get(name, default)
    if value in (None, ""):
        value = default
    try:
        result = kind(value)
    except (TypeError, ValueError):
        expected = "a whole number" if kind is int else "a number"
        raise ValueError(f"invalid setting {name}={value!r}: expected {expected}") from None
    if minimum is not None and result < minimum:
        raise ValueError(f"invalid setting {name}={value!r}: must be at least {minimum:g}")
    return result


def flag(settings: Any, name: str, default: bool) -> bool:
    try:
        return settings.getbool(name, default)
    except ValueError:
        raise ValueError(f"invalid setting {name}={settings.get(name)!r}: expected true or false") from None


def check_settings(settings: Any) -> list[str]:
    """Check a run's settings before anything is fetched; return warnings about names that look misspelt.

    Raises ValueError naming the setting for a value of the wrong type. A
    LOG_LEVEL in lower case is accepted and written back in upper case, the
    only spelling Python's logging takes.
    """
    for name, (kind, minimum) in SCRAPY_NUMBERS.items():
        if settings.get(name) not in (None, ""):
            number(settings, name, 0, kind, minimum)
    for name in SCRAPY_FLAGS:
        flag(settings, name, False)
    level = settings.get("LOG_LEVEL")
    if isinstance(level, str) and not level.strip().isdigit():
        if level.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"invalid setting LOG_LEVEL={level!r}: expected one of {', '.join(LOG_LEVELS)}")
        if level != level.strip().upper():
            settings.set("LOG_LEVEL", level.strip().upper(), priority=settings.getpriority("LOG_LEVEL"))
    return unknown_setting_warnings(settings)


def unknown_setting_warnings(settings: Any) -> list[str]:
    """One line for each MORGUE_* name morgue does not read, and each name one letter or two off a known one."""
    from scrapy.settings import SETTINGS_PRIORITIES, default_settings

    scrapy_names = {name for name in dir(default_settings) if name.isupper()}
    known = scrapy_names | MORGUE_SETTINGS
    warnings = []
    for name in sorted(settings):
        if name in known or settings.getpriority(name) <= SETTINGS_PRIORITIES["default"]:
            continue
        if name.startswith("MORGUE_"):
            near = difflib.get_close_matches(name, sorted(MORGUE_SETTINGS), n=1, cutoff=0.75)
            hint = f": did you mean {near[0]}?" if near else " (see the settings table in the README)"
            warnings.append(f"unknown setting {name}{hint}")
            continue
        near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.85)
        if near:
            warnings.append(f"unknown setting {name}: did you mean {near[0]}?")
    return warnings


def log_level(settings: Any) -> int:
    """The run's log level as a number (LOG_LEVEL, already checked)."""
    level = settings.get("LOG_LEVEL", "DEBUG")
    if isinstance(level, int) or str(level).strip().isdigit():
        return int(level)
    return logging.getLevelName(str(level).strip().upper())
