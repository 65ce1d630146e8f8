"""Scrapy requests and responses as WARC records: pure functions, no I/O.

The response record holds what came off the wire: the real protocol
version, the status, the headers as sent (only ``Transfer-Encoding`` goes,
since the HTTP client has already removed the chunking) and the body still
content-encoded. The payload digest is computed here, before the record is
built, so a caller can look it up among digests seen before (the basis of
``revisit`` records).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

WARC_VERSION = "WARC/1.0"

#: request headers never archived: credentials
PRIVATE_REQUEST_HEADERS = {b"authorization", b"proxy-authorization"}
#: response headers describing a transfer the client already undid
HOP_RESPONSE_HEADERS = {b"transfer-encoding"}

_builder = RecordBuilder(warc_version=WARC_VERSION)


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of ``body`` (base32 SHA-1, as crawlers and indexers expect)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header_list(headers: Any, drop: set[bytes]) -> list[tuple[str, str]]:
    out = []
    for name, values in headers.items():
        if name.lower() in drop:
            continue
        n = name.decode("latin-1")
        out.extend((n, v.decode("latin-1")) for v in values)
    return out


def response_record(
    url: str,
    status: int,
    headers: Any,
    body: bytes,
    *,
    protocol: str | None,
    fetched_at: datetime,
    ip_address: str | None = None,
    digest: str | None = None,
) -> ArcWarcRecord:
    """A ``response`` record from the exchange as received (``headers``: Scrapy ``Headers``)."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    http_headers = StatusAndHeaders(
        f"{status} {reason}".rstrip(),
        _header_list(headers, HOP_RESPONSE_HEADERS),
        protocol=protocol or "HTTP/1.1",
    )
    warc_headers = {
        "WARC-Date": warc_date(fetched_at),
        "WARC-Payload-Digest": digest or payload_digest(body),
    }
    if ip_address:
        warc_headers["WARC-IP-Address"] = str(ip_address)
    return _builder.create_warc_record(
        url, "response", payload=BytesIO(body), length=len(body),
        warc_headers_dict=warc_headers, http_headers=http_headers,
    )


def request_record(
    url: str, method: str, headers: Any, body: bytes, *, fetched_at: datetime, response_id: str
) -> ArcWarcRecord:
    """A ``request`` record as the client sent it, credentials removed."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    header_list = _header_list(headers, PRIVATE_REQUEST_HEADERS)
    if not any(n.lower() == "host" for n, _ in header_list):
        header_list.insert(0, ("Host", parts.netloc))
    http_headers = StatusAndHeaders(f"{method} {target} HTTP/1.1", header_list, is_http_request=True)
    return _builder.create_warc_record(
        url, "request", payload=BytesIO(body), length=len(body),
        warc_headers_dict={"WARC-Date": warc_date(fetched_at), "WARC-Concurrent-To": response_id},
        http_headers=http_headers,
    )


def metadata_record(url: str, data: dict, *, fetched_at: datetime, response_id: str) -> ArcWarcRecord:
    """A ``metadata`` record of JSON about a capture, linked to its response."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _builder.create_warc_record(
        url, "metadata", payload=BytesIO(payload), length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Date": warc_date(fetched_at), "WARC-Concurrent-To": response_id},
    )


def warcinfo_record(filename: str, info: dict[str, str]) -> ArcWarcRecord:
    return _builder.create_warcinfo_record(filename, info)


def record_id(record: ArcWarcRecord) -> str:
    return record.rec_headers.get_header("WARC-Record-ID")
