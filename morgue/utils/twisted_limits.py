"""Response headers as large as browsers take them: Scrapy's HTTP/1.1 download handler, one limit lifted.

Scrapy's ``HTTP11DownloadHandler`` reads responses with Twisted's HTTP/1.1
client parser (``twisted.web._newclient.HTTPClientParser``), a
``LineReceiver`` whose ``MAX_LENGTH`` of 16,384 bytes bounds each status or
header line. A longer line, such as the 64 kB ``Set-Cookie`` a consent wall
sends, makes it drop the connection: Scrapy reports "Connection was closed
cleanly", retries in vain, and the article is lost. Browsers take far more
(Chrome allows 256 kB of response headers in all), and neither Scrapy nor
Twisted has a setting for it.

The parser is built inside Twisted's ``HTTP11ClientProtocol.request()``;
Scrapy already swaps its class there for a lenient one (its own
``_LenientHTTP11ClientProtocol``). This module is the one place morgue reaches
into those private classes: it extends that swap with a parser whose limit is
``MAX_HEADER_BYTES`` for all the header lines together, like Chrome's, and
that says so in one log line when a site goes beyond it. Everything else is
Scrapy's handler unchanged; it is chosen through Scrapy's public
``DOWNLOAD_HANDLERS`` setting for ``http`` and ``https``. Scrapy's open pull
request #7813 ("Limit response headers size like browsers") does the same
upstream: once a release has it, this module goes.
"""

from __future__ import annotations

import logging

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)

logger = logging.getLogger(__name__)

#: bytes of status line and header lines a response may have (Chrome's limit)
MAX_HEADER_BYTES = 256 * 1024


class _Parser(_LenientHTTPClientParser):
    """Scrapy's lenient parser with a browser's header limit; no state of its own but a byte count."""

    MAX_LENGTH = MAX_HEADER_BYTES

    def lineReceived(self, line: bytes) -> None:
        self._header_bytes = getattr(self, "_header_bytes", 0) + len(line) + 1
        if self._header_bytes > MAX_HEADER_BYTES:
            self.lineLengthExceeded(line)
            return
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> None:
        url = (self.request.absoluteURI or self.request.uri).decode("latin-1")
        logger.error("%s sent more than %d bytes of response headers (more than a browser takes): "
                     "connection dropped, page not fetched", url, MAX_HEADER_BYTES)
        self.transport.loseConnection()


class _Protocol(_LenientHTTP11ClientProtocol):
    def request(self, request):  # type: ignore[no-untyped-def]
        d = super().request(request)
        self._parser.__class__ = _Parser  # as Scrapy's own protocol does, one class further
        return d


class _Factory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr):  # type: ignore[no-untyped-def]
        return _Protocol(self._quiescentCallback)


class LargeHeadersDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler, taking response headers up to ``MAX_HEADER_BYTES``."""

    def __init__(self, crawler) -> None:  # type: ignore[no-untyped-def]
        super().__init__(crawler)
        self._pool._factory = _Factory
