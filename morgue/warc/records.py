"""Scrapy requests and responses as WARC records: pure functions, no I/O.

The HTTP header block of each record is built here as bytes and written as
built: warcio's own encoder (``StatusAndHeaders.to_ascii_bytes``) would turn
every non-ASCII header value into a UTF-8 percent-escape, so that
``filename="März.pdf"`` received in Latin-1 came out as ``filename*=UTF-8''M%C3%83%C2%A4rz.pdf``.

What a ``response`` record keeps, given what Scrapy's HTTP/1.1 client (Twisted) hands on:

- as received, byte for byte: the body (still content-encoded), the protocol version, the status
  code, each header value in whatever bytes it came (UTF-8, Latin-1 or other), each repeated line;
- changed by the client: the whitespace around a value is trimmed and a value folded over several
  lines is joined onto one; names are Title-Cased (``etag`` and ``ETag`` are both ``Etag``); lines
  of one name stand together where the first of them stood; the reason phrase is not kept (the record
  has the standard phrase for the code, none for an unregistered code);
- gone: the headers the client keeps to itself (``Connection``, ``Keep-Alive``, ``Transfer-Encoding``,
  ``TE``, ``Trailers``, ``Upgrade``, ``Proxy-Connection``), a line with no colon (Scrapy 2.18 on skips
  it; older versions fail the download) and the chunked framing, which the body is already free of;
  ``Content-Length`` is the client's, first: the length the server declared, none for a chunked
  body, 0 for a 204 or 304.

A body cut short (kept only when ``DOWNLOAD_FAIL_ON_DATALOSS`` is off) gets ``WARC-Truncated``.

A ``request`` record is the request as the client wrote it (request line, ``Content-Length`` of a
body, the headers in their order and Twisted's spelling, ``Host`` last when Scrapy set none), less
the headers that can carry credentials: ``Authorization``, ``Proxy-Authorization`` and ``Cookie``
(the cookies a site sets are in its responses' ``Set-Cookie`` lines, which are kept). Sent through
an HTTP proxy, the real request line names the whole URL; the record has the path.

The payload digest is computed once, before the record is built, so a caller can pass it on and
look it up among digests seen before (the basis of ``revisit`` records).
"""

from __future__ import annotations

import json
from collections.abc import Container, Iterable, Mapping
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit

from twisted.web.http_headers import Headers as TwistedHeaders
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester

WARC_VERSION = "WARC/1.0"

#: request headers never archived: they can carry credentials
PRIVATE_REQUEST_HEADERS = {b"authorization", b"proxy-authorization", b"cookie"}
#: response headers describing a transfer the client already undid (Scrapy's HTTP/1.1 client
#: never passes it on; its other download handlers may)
HOP_RESPONSE_HEADERS = {b"transfer-encoding"}

_builder = RecordBuilder(warc_version=WARC_VERSION)

#: a header block: (name, values) pairs, as Scrapy's and Twisted's ``Headers`` give them
HeaderItems = Iterable[tuple[bytes, Iterable[bytes]]]


class WireHeaders(StatusAndHeaders):
    """An HTTP header block that warcio writes as the bytes given.

    warcio calls ``compute_headers_buffer`` before it writes a record or digests its block; the
    override keeps the bytes built here (warcio's own would re-encode non-ASCII values).
    """

    def __init__(self, block: bytes, statusline: str, protocol: str):
        super().__init__(statusline, [], protocol=protocol)
        self.headers_buff = block

    def compute_headers_buffer(self, header_filter=None) -> None:
        pass


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of ``body`` (base32 SHA-1, as crawlers and indexers expect)."""
    digester = Digester("sha1")
    digester.update(body)
    return str(digester)


def warc_date(when: datetime) -> str:
    """``WARC-Date``: UTC to the second, as WARC 1.0 has it."""
    return datetime_to_iso_date(when.astimezone(timezone.utc))


def header_block(first_line: bytes, headers: HeaderItems, drop: Container[bytes] = ()) -> bytes:
    """``first_line``, one ``Name: value`` line per value (bytes untouched), and the blank line."""
    lines = [first_line]
    for name, values in headers:
        if name.lower() not in drop:
            lines.extend(name + b": " + value for value in values)
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


def response_record(
    url: str,
    status: int,
    headers: Mapping[bytes, list[bytes]],
    body: bytes,
    *,
    protocol: str | None,
    fetched_at: datetime,
    ip_address: object = None,
    digest: str | None = None,
    truncated: str | None = None,
) -> ArcWarcRecord:
    """A ``response`` record from the exchange as received (``headers``: Scrapy ``Headers``).

    ``truncated``: why the body is shorter than the server meant (``WARC-Truncated``: ``length``,
    ``time``, ``disconnect``, ``unspecified``).
    """
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    protocol = protocol or "HTTP/1.1"
    statusline = f"{status} {reason}"
    block = header_block(f"{protocol} {statusline}".encode("ascii"), headers.items(), HOP_RESPONSE_HEADERS)
    warc_headers = {
        "WARC-Date": warc_date(fetched_at),
        "WARC-Payload-Digest": digest or payload_digest(body),
    }
    if ip_address:
        warc_headers["WARC-IP-Address"] = str(ip_address)
    if truncated:
        warc_headers["WARC-Truncated"] = truncated
    return _builder.create_warc_record(
        url, "response", payload=BytesIO(body), length=len(body),
        warc_headers_dict=warc_headers, http_headers=WireHeaders(block, statusline, protocol),
    )


#: WARC 1.0 revisit profiles (ISO 28500:2009, 6.7.2 and 6.7.3)
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"


def revisit_record(
    url: str,
    status: int,
    headers: Mapping[bytes, list[bytes]],
    *,
    profile: str,
    protocol: str | None,
    fetched_at: datetime,
    refers_to: str,
    refers_to_uri: str,
    refers_to_date: str,
    digest: str,
    ip_address: object = None,
) -> ArcWarcRecord:
    """A ``revisit`` record: the response's headers only, pointing at the capture that holds the payload.

    ``profile``: ``IDENTICAL_PAYLOAD`` (a 200 whose payload digest is the earlier capture's) or
    ``SERVER_NOT_MODIFIED`` (a 304 to a conditional request). ``WARC-Refers-To`` (the earlier
    record's ID), ``WARC-Refers-To-Target-URI`` and ``WARC-Refers-To-Date`` let a replay tool
    (pywb) and an indexer (cdxj-indexer) find the payload; ``digest`` is the payload's digest.
    """
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    protocol = protocol or "HTTP/1.1"
    statusline = f"{status} {reason}"
    block = header_block(f"{protocol} {statusline}".encode("ascii"), headers.items(), HOP_RESPONSE_HEADERS)
    warc_headers = {
        "WARC-Date": warc_date(fetched_at),
        "WARC-Profile": profile,
        "WARC-Refers-To": refers_to,
        "WARC-Refers-To-Target-URI": refers_to_uri,
        "WARC-Refers-To-Date": refers_to_date,
        "WARC-Payload-Digest": digest,
        # warcio's revisit builder leaves the block undigested; it is the header block alone
        "WARC-Block-Digest": payload_digest(block),
    }
    if ip_address:
        warc_headers["WARC-IP-Address"] = str(ip_address)
    return _builder.create_warc_record(
        url, "revisit", payload=BytesIO(b""), length=0,
        warc_headers_dict=warc_headers, http_headers=WireHeaders(block, statusline, protocol),
    )


def request_record(
    url: str, method: str, headers: Mapping[bytes, list[bytes]], body: bytes, *,
    fetched_at: datetime, response_id: str,
) -> ArcWarcRecord:
    """A ``request`` record as Scrapy's HTTP/1.1 client writes the request, credentials left out."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = TwistedHeaders(headers)  # what the client sends: its spelling of names, its value checks
    if not sent.hasHeader(b"Host"):
        host = parts.netloc.rpartition("@")[2]
        if parts.port is not None and parts.port == {"http": 80, "https": 443}.get(parts.scheme):
            host = host.rpartition(":")[0]
        sent.addRawHeader(b"Host", host)
    first = f"{method} {target} HTTP/1.1".encode("ascii")
    if body or method in ("POST", "PUT"):
        first += b"\r\nContent-Length: %d" % len(body)
    block = header_block(first, sent.getAllRawHeaders(), PRIVATE_REQUEST_HEADERS)
    return _builder.create_warc_record(
        url, "request", payload=BytesIO(body), length=len(body),
        warc_headers_dict={"WARC-Date": warc_date(fetched_at), "WARC-Concurrent-To": response_id},
        http_headers=WireHeaders(block, f"{target} HTTP/1.1", method),
    )


def metadata_record(url: str, data: dict, *, fetched_at: datetime, response_id: str) -> ArcWarcRecord:
    """A ``metadata`` record about a capture, linked to its response: ``application/warc-fields``.

    Written as Heritrix writes its per-capture metadata (the capture's URL as ``WARC-Target-URI``,
    content ``application/warc-fields``), which pywb and cdxj-indexer leave out of their indexes: as
    JSON it was indexed under the page's URL and second, and pywb replayed it in the page's place.
    One ``name: value`` line per key, sorted; a value that is not a string is JSON on one line
    (``morgue.warc.cdxj.parse_metadata`` reads both this and the older JSON records).
    """
    lines = []
    for name, value in sorted(data.items()):
        if value is None:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        lines.append(f"{name}: {' '.join(text.splitlines())}")
    payload = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return _builder.create_warc_record(
        url, "metadata", payload=BytesIO(payload), length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": warc_date(fetched_at), "WARC-Concurrent-To": response_id},
    )


def warcinfo_record(filename: str, info: dict[str, str]) -> ArcWarcRecord:
    return _builder.create_warcinfo_record(filename, info)


def record_id(record: ArcWarcRecord) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")
