"""Downloader middleware that archives every HTTP exchange as Scrapy received it.

It sits at 950, above every stock middleware, so its ``process_response``
runs first: before redirects become new requests, before retries, before
HttpCompressionMiddleware decodes the body. What it archives is therefore
each hop of a redirect, every error page and the body still encoded. What
the HTTP client has already changed by then (header names' case, the
reason phrase, connection headers, chunking) is listed in
``morgue.warc.records``. Each record is dated when the response arrived.

Settings: ``MORGUE_WARC_ENABLED``, ``MORGUE_WARC_PREFIX``, ``MORGUE_WARC_MAX_SIZE``,
``MORGUE_OPERATOR``.
"""

from __future__ import annotations

import platform
import socket
from datetime import datetime, timezone
from importlib.metadata import version

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

import morgue
from morgue import meta
from morgue.config import flag, number
from morgue.extensions.upload import crawl_spool
from morgue.warc.records import (
    metadata_record,
    payload_digest,
    record_id,
    request_record,
    response_record,
    warc_date,
)
from morgue.warc.writer import RotatingWarcWriter


class WarcCaptureMiddleware:
    def __init__(self, crawler, writer: RotatingWarcWriter, decompression: bool = True):
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer = writer
        self.decompression = decompression
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not flag(settings, "MORGUE_WARC_ENABLED", True):
            raise NotConfigured("MORGUE_WARC_ENABLED is off")
        max_size = number(settings, "MORGUE_WARC_MAX_SIZE", 1_000_000_000, minimum=1)
        writer = RotatingWarcWriter(
            crawl_spool(crawler).create,
            prefix=settings.get("MORGUE_WARC_PREFIX", "MORGUE"),
            max_size=max_size,
            info=warcinfo_fields(settings),
        )
        return cls(crawler, writer, settings.getbool("COMPRESSION_ENABLED", True))

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            return response
        # The response has just arrived: its time, not the request's (which may have waited
        # in a download slot for a delay or a Retry-After pause), is the capture's WARC-Date.
        fetched_at = datetime.now(timezone.utc)
        digest = payload_digest(response.body)
        resp = response_record(
            response.url, response.status, response.headers, response.body,
            protocol=response.protocol, fetched_at=fetched_at,
            ip_address=response.ip_address, digest=digest,
            # a body cut short, kept because DOWNLOAD_FAIL_ON_DATALOSS is off
            truncated="disconnect" if "dataloss" in response.flags else None,
        )
        resp_id = record_id(resp)
        records = [resp, request_record(
            request.url, request.method, request.headers, request.body,
            fetched_at=fetched_at, response_id=resp_id,
        )]
        discovery = request.meta.get(meta.DISCOVERY)
        if discovery and not 300 <= response.status < 400:
            records.append(metadata_record(
                response.url, discovery, fetched_at=fetched_at, response_id=resp_id,
            ))
        locations = self.writer.write(*records)
        request.meta[meta.WARC_LOCATION] = {
            "warc_filename": locations[0].filename,
            "warc_record_id": resp_id,
            "warc_offset": locations[0].offset,
            "warc_length": locations[0].length,
            "payload_digest": digest,
            "fetched_at": warc_date(fetched_at),
        }
        self.stats.inc_value(meta.WARC_RESPONSES)
        self.stats.inc_value(meta.WARC_RECORDS, len(records))
        self.stats.inc_value(meta.WARC_BYTES, sum(loc.length for loc in locations))
        if (self.decompression and isinstance(response, TextResponse) and request.method != "HEAD"
                and b"Content-Encoding" in response.headers):
            return _undecoded(response)
        return response

    def spider_closed(self, spider, reason) -> None:
        self.writer.finish()
        self.stats.set_value(meta.WARC_FILES, self.writer.files_finished)


def _undecoded(response: TextResponse) -> Response:
    """The same response as a plain ``Response``: its body is not text until it is decoded.

    HttpCompressionMiddleware decodes the body with ``response.replace()``, which reads every
    attribute of the old response, ``encoding`` included: on a ``TextResponse`` whose headers
    name no charset, that runs charset detection over the compressed bytes (about a third of the
    crawler process's CPU on real pages), only to throw the result away. A plain ``Response`` has
    no ``encoding``; the middleware picks the class of the decoded body itself.
    """
    return Response(**{name: getattr(response, name) for name in Response.attributes})


def warcinfo_fields(settings) -> dict[str, str]:
    return {
        "software": (
            f"morgue/{morgue.__version__} (Scrapy/{scrapy.__version__}; "
            f"warcio/{version('warcio')}; Python/{platform.python_version()})"
        ),
        "hostname": socket.gethostname(),
        "operator": settings.get("MORGUE_OPERATOR", ""),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT", ""),
        "format": "WARC File Format 1.0",
        "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
    }
