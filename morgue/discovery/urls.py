"""Checking the URLs a user gives, and which hosts a crawl may visit."""

from __future__ import annotations

from urllib.parse import urlsplit


class BadURL(ValueError):
    """A URL morgue cannot crawl; the message names it and says why."""


def check_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host; raise BadURL otherwise."""
    if not url or any(c.isspace() for c in url):
        raise BadURL(f"invalid URL {url!r}: empty or contains spaces")
    if "://" not in url:
        raise BadURL(f"invalid URL {url!r}: give a full URL, e.g. https://{url.lstrip('/')}")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise BadURL(f"invalid URL {url!r}: only http and https can be crawled")
    try:
        port = parts.port
    except ValueError:
        raise BadURL(f"invalid URL {url!r}: bad port") from None
    if not parts.hostname or port == 0:
        raise BadURL(f"invalid URL {url!r}: no host")
    if not parts.path:
        url += "/"
    return url


def on_site(url: str, hosts: list[str]) -> bool:
    """Whether a crawl of ``hosts`` may request ``url``: an http(s) URL on one of them.

    The scheme matters as much as the host: a ``Sitemap: ftp://`` line on the site's own
    host made Scrapy's FTP handler wait for ever on a port that never speaks, and an
    ``s3://`` entry made its S3 handler look the host up as a bucket at Amazon.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and parts.hostname in hosts


def site_hosts(urls: list[str]) -> list[str]:
    """The hosts a crawl of ``urls`` stays on: each URL's host and its www./bare twin."""
    hosts: list[str] = []
    for url in urls:
        host = urlsplit(url).hostname or ""
        twin = host[4:] if host.startswith("www.") else f"www.{host}"
        for h in (host, twin):
            if h and h not in hosts and not (h.startswith("www.") and _is_ip(h[4:])):
                hosts.append(h)
    return hosts


def _is_ip(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host
