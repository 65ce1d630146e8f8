"""Checking the URLs a user gives, and which hosts a crawl may visit."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


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


#: query parameters that only track where a reader came from: dropped before a URL is queued
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ocid", "cmpid", "smid", "sr_share", "ito",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "hsa_")
#: query parameters of links that act (a cart, a login, a share or print view, a reply form, a calendar)
_JUNK_PARAMETERS = frozenset({
    "add-to-cart", "add_to_cart", "remove_item", "add-to-wishlist", "replytocom", "share", "print", "printpage",
    "output", "login", "logout", "redirect_to", "return_to", "returnurl", "action", "ical", "outlook-ical",
    "tribe-bar-date", "calendar", "month", "eventdisplay", "wc-ajax", "unapproved", "moderation-hash",
})
#: path segments of links that act or lead nowhere a reader reads (lower case)
_JUNK_SEGMENTS = frozenset({
    "cart", "basket", "checkout", "my-account", "login", "logout", "signin", "sign-in", "register", "wp-login.php",
    "wp-admin", "share", "sharer", "sharer.php", "print", "calendar", "ical", "cdn-cgi", "wp-json", "xmlrpc.php",
    "comment-page", "reply", "trackback", "embed", "amp",
})


def clean_url(url: str) -> str:
    """``url`` without its fragment and its tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ...)."""
    parts = urlsplit(url)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs
                if k.lower() not in TRACKING_PARAMETERS and not k.lower().startswith(TRACKING_PREFIXES)]
        if len(kept) < len(pairs):  # as it was otherwise: re-encoding could change what the server reads
            query = urlencode(kept, doseq=True)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def junk_url(url: str) -> bool:
    """A link no crawl follows: a cart, login, share, print, comment-reply or calendar link."""
    parts = urlsplit(url)
    if parts.query and any(k.lower() in _JUNK_PARAMETERS for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    segments = [s.lower() for s in parts.path.split("/") if s]
    return any(s in _JUNK_SEGMENTS or s.startswith("comment-page-") for s in segments)
