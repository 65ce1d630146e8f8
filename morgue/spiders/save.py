"""On-demand saves: given URLs, fetched now, archived and extracted as a crawl's articles are.

No discovery: each URL is requested once (robots.txt obeyed unless
``ROBOTSTXT_OBEY`` is off), every redirect hop is archived by the capture
middleware, and any 2xx HTML page goes on to extraction and a text record,
whatever its kind. With ``outlinks`` the article links of a page (one hop,
on its own site) are saved too; a feed or sitemap given as a URL has its
entries saved.

The outcome of each URL is kept in ``spider.results`` (one dict per URL,
in the order given, then the outlinks) for the command line and the
service: the final URL, the HTTP status, the capture's WARC location, the
title and text, or an error with its reason (DNS, refused, timeout, HTTP
4xx/5xx, robots, not HTML).

Arguments: ``urls`` (a list, or one string of URLs separated by spaces),
``outlinks`` (bool). Settings: those of the capture, extraction and text
components; the spider's own defaults (``custom_settings``) make one save
fast: no AutoThrottle, no delay, extraction in the process, no disk queue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar

from scrapy import Request, Spider, signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from w3lib.encoding import http_content_type_encoding

from morgue import meta
from morgue.discovery.documents import xml_kind
from morgue.discovery.entry import DiscoveryError
from morgue.discovery.feeds import read_feed
from morgue.discovery.links import headline_like, is_binary_url, is_excluded, looks_like_article
from morgue.discovery.sitemaps import read_sitemap
from morgue.discovery.urls import on_site, site_hosts
from morgue.items import Page
from morgue.store.names import key_for

#: at most this many outlinks or feed entries per saved URL
MAX_OUTLINKS = 100


def capture_id(warc_record_id: str | None) -> str | None:
    """The capture's id in URLs and JSON: the response record's UUID, without ``<urn:uuid:…>``."""
    if not warc_record_id:
        return None
    return warc_record_id.strip("<>").rsplit(":", 1)[-1]


def failure_reason(failure, max_size: int = 0) -> str:
    """One short reason for a failed request: what a user can act on."""
    error = failure.value
    if failure.check(DownloadCancelledError) and max_size:  # Scrapy stops a download at DOWNLOAD_MAXSIZE
        return f"too large: the download was stopped at the page size cap ({max_size} bytes)"
    if failure.check(HttpError):
        return f"HTTP {error.response.status}"
    if failure.check(IgnoreRequest):
        text = str(error) or "ignored"
        return "forbidden by robots.txt" if "robots.txt" in text else text
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "DNS: the host name does not resolve"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(DownloadFailedError, ConnectError):
        return f"cannot connect: {failure.getErrorMessage()}"
    message = failure.getErrorMessage().strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


#: where a page's text record was written, as the text pipeline hands it on
TEXT_LOCATION = ("text_key", "text_offset", "text_length")


def new_result(url: str, source: str | None = None) -> dict[str, Any]:
    return {"url": url, "final_url": None, "status": None, "error": None, "capture_id": None,
            "warc_filename": None, "warc_key": None, "warc_offset": None, "warc_length": None,
            "warc_record_id": None, "fetched_at": None, "title": None, "text": None, "from": source,
            "text_key": None, "text_offset": None, "text_length": None}


class SaveSpider(Spider):
    name = "save"
    custom_settings: ClassVar[dict[str, Any]] = {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "MORGUE_EXTRACT_WORKERS": 0,  # starting worker processes costs more than one page's extraction
        "MORGUE_PROGRESS": "off",
        "JOBDIR": "",  # a handful of requests: memory queues, and several saves may share a process
        "RETRY_TIMES": 1,
        "DOWNLOAD_TIMEOUT": 30,
    }

    def __init__(self, urls: list[str] | str | None = None, outlinks: bool | str = False, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(urls, str):
            urls = urls.split()
        if not urls:
            raise ValueError("the save spider needs URLs: -a urls='https://news.example.org/a https://…'")
        self.urls = list(urls)
        self.outlinks = outlinks if isinstance(outlinks, bool) else str(outlinks).lower() in ("1", "true", "yes")
        self.results: list[dict[str, Any]] = [new_result(u) for u in self.urls]
        self.links = LinkExtractor(deny_extensions=[])

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider._dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._dropped, signal=signals.item_error)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for index, url in enumerate(self.urls):
            yield self._request(url, index, {"via": "save"})

    def _request(self, url: str, index: int, discovery: dict) -> Request:
        return Request(url, callback=self.parse, errback=self.failed, dont_filter=True,
                       meta={meta.SAVE_INDEX: index, meta.DISCOVERY: discovery})

    def _result(self, request_meta: dict) -> dict[str, Any]:
        return self.results[request_meta[meta.SAVE_INDEX]]

    def _located(self, result: dict, response: Response) -> None:
        result["final_url"] = response.url
        result["status"] = response.status
        warc = response.meta.get(meta.WARC_LOCATION) or {}
        if warc.get("warc_filename"):
            result.update({name: warc.get(name) for name in
                           ("warc_filename", "warc_offset", "warc_length", "warc_record_id", "fetched_at")})
            result["warc_key"] = key_for(warc["warc_filename"])
            result["capture_id"] = capture_id(warc.get("warc_record_id"))

    def failed(self, failure) -> None:
        request = failure.request
        result = self._result(request.meta)
        if failure.check(HttpError):
            self._located(result, failure.value.response)
        elif request.meta.get("redirect_urls") and request.meta.get(meta.WARC_LOCATION):
            # refused or failed after a redirect: the hops fetched so far are archived; say where the last is
            reasons = request.meta.get("redirect_reasons") or [None]
            hop = Response(request.meta["redirect_urls"][-1], status=reasons[-1] if isinstance(reasons[-1], int)
                           else 200, request=request)
            self._located(result, hop)
            result["final_url"] = request.url
        max_size = request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        result["error"] = failure_reason(failure, max_size)

    def parse(self, response: Response) -> Iterable[Request | Page]:
        result = self._result(response.meta)
        self._located(result, response)
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        body = response.body
        kind = xml_kind(body) if isinstance(response, TextResponse) and "html" not in content_type else None
        if kind is not None:
            if self.outlinks and result["from"] is None:
                yield from self._entries(response, kind, result)
            return
        if not isinstance(response, TextResponse) or (content_type and "html" not in content_type):
            result["error"] = f"not HTML ({content_type.split(';')[0] or 'no Content-Type'}): archived, no text"
            return
        redirects = response.meta.get("redirect_urls") or [response.request.url]
        yield Page(
            url=response.url,
            requested_url=redirects[0],
            body=body,
            encoding=http_content_type_encoding(content_type),
            warc=response.meta.get(meta.WARC_LOCATION, {}),
            discovery=response.meta.get(meta.DISCOVERY, {}),
        )
        if self.outlinks and result["from"] is None:
            yield from self._links(response, result)

    def _follow(self, url: str, source: str, discovery: dict) -> Request:
        self.results.append(new_result(url, source))
        return self._request(url, len(self.results) - 1, discovery)

    def _links(self, response: TextResponse, result: dict) -> Iterable[Request]:
        hosts = site_hosts([response.url])
        seen: set[str] = {response.url}
        for link in self.links.extract_links(response):
            if len(seen) > MAX_OUTLINKS:
                return
            text = " ".join(link.text.split())
            if (link.url in seen or not on_site(link.url, hosts) or is_binary_url(link.url)
                    or not (looks_like_article(link.url) or (headline_like(text) and not is_excluded(link.url)))):
                continue
            seen.add(link.url)
            yield self._follow(link.url, result["url"],
                               {"via": "link", "from": response.url, "entry": {"anchor_text": text} if text else {}})

    def _entries(self, response: TextResponse, kind: str, result: dict) -> Iterable[Request]:
        problems: list[str] = []
        try:
            if kind == "feed":
                entries = read_feed(response.body, response.url, problems)
            else:
                _, entries = read_sitemap(response.body, response.url, problems)
            for n, entry in enumerate(entries):
                if n >= MAX_OUTLINKS:
                    break
                if entry.url.startswith(("http://", "https://")):
                    yield self._follow(entry.url, result["url"],
                                       {"via": entry.via, "from": response.url, "entry": entry.info})
        except DiscoveryError as e:
            result["error"] = str(e)
        if problems and not result["error"]:
            result["error"] = problems[0]

    def _scraped(self, item, response, spider) -> None:
        if not isinstance(item, dict) or response is None or meta.SAVE_INDEX not in response.meta:
            return
        result = self._result(response.meta)
        record = dict(item)
        for name in TEXT_LOCATION:  # where the text pipeline wrote it; not a field of the record
            result[name] = record.pop(name, None)
        result["title"] = record.get("title")
        result["text"] = record.get("text") or ""
        result["record"] = record

    def _dropped(self, item, response, exception=None, spider=None, failure=None) -> None:
        if response is None or meta.SAVE_INDEX not in response.meta:
            return
        result = self._result(response.meta)
        result["text"] = ""
