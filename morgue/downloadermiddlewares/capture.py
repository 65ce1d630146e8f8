"""Downloader middleware that archives every HTTP exchange as Scrapy received it.

It sits at 950, above every stock middleware, so its ``process_response``
runs first: before redirects become new requests, before retries, before
HttpCompressionMiddleware decodes the body. What it archives is therefore
each hop of a redirect, every error page and the body still encoded. What
the HTTP client has already changed by then (header names' case, the
reason phrase, connection headers, chunking) is listed in
``morgue.warc.records``. Each record is dated when the response arrived.

An article the crawl state knows (``meta.PREVIOUS``, put on the request by
the incremental middleware) is archived as a ``revisit`` record when the
server answers 304 (server-not-modified profile) or sends the payload of the
last capture again (identical-payload-digest profile), pointing at that
capture. Every article capture updates the crawl state.

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
from morgue.extensions.state import crawl_state
from morgue.extensions.upload import crawl_spool
from morgue.store.state import canonical, discovery_date
from morgue.warc.records import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    metadata_record,
    payload_digest,
    record_id,
    request_record,
    response_record,
    revisit_record,
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
        previous = request.meta.get(meta.PREVIOUS)
        profile = None
        if previous and previous.get("record_id") and previous.get("digest"):
            if response.status == 304:
                profile = SERVER_NOT_MODIFIED
            elif response.status == 200 and digest == previous["digest"] and "dataloss" not in response.flags:
                profile = IDENTICAL_PAYLOAD
        if profile:
            resp = revisit_record(
                response.url, response.status, response.headers, profile=profile,
                protocol=response.protocol, fetched_at=fetched_at, refers_to=previous["record_id"],
                refers_to_uri=previous["uri"] or response.url, refers_to_date=previous["date"],
                digest=previous["digest"], ip_address=response.ip_address,
            )
            digest = previous["digest"]
            request.meta[meta.REVISIT] = "not-modified" if profile == SERVER_NOT_MODIFIED else "identical"
            self.stats.inc_value(meta.REVISITS_NOT_MODIFIED if profile == SERVER_NOT_MODIFIED
                                 else meta.REVISITS_IDENTICAL)
        else:
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
        if discovery and (profile or not 300 <= response.status < 400):
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
        if discovery and (profile or 200 <= response.status < 300):
            self._remember(request, response, resp_id, fetched_at, digest=digest, profile=profile)
        self.stats.inc_value(meta.WARC_RECORDS, len(records))
        self.stats.inc_value(meta.WARC_BYTES, sum(loc.length for loc in locations))
        if (self.decompression and isinstance(response, TextResponse) and request.method != "HEAD"
                and b"Content-Encoding" in response.headers):
            return _undecoded(response)
        return response

    def _remember(self, request: Request, response: Response, resp_id: str, fetched_at: datetime, *,
                  digest: str, profile: str | None) -> None:
        """Tell the crawl state of this article's capture: what a later run compares and refers to."""
        extension = crawl_state(self.crawler)
        if extension is None or extension.state is None:
            return
        seen = discovery_date(request.meta.get(meta.DISCOVERY))
        values: dict = {"seen": seen} if seen else {}  # a link gives none: the sitemap's stays
        if not profile:
            values.update(digest=digest, record_id=resp_id, uri=response.url, date=warc_date(fetched_at))
        for name, header in (("etag", b"ETag"), ("last_modified", b"Last-Modified")):
            value = response.headers.get(header)
            if value or not profile:
                values[name] = (value or b"").decode("latin-1")
        extension.state.update(request.meta.get(meta.KEY) or canonical(request.url), **values)

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
