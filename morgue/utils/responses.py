"""Copies of Scrapy responses whose decoded text and parsed tree die with them.

Scrapy keeps a response's text (up to four times the body's size) and its
parsed tree on the response once anything reads them, and a page's response
lives for as long as the page waits for extraction. Reading links or a meta
refresh from a copy keeps that memory to the moment it is used.
``Response.replace`` is no way round: it reads the original's encoding to
carry it over, which decodes the whole body and caches the text.
"""

from __future__ import annotations

from scrapy.http import TextResponse


def uncached_copy(response: TextResponse, body: bytes | None = None) -> TextResponse:
    """``response`` again (or with ``body``, such as its first bytes), with nothing cached."""
    return type(response)(
        url=response.url,
        status=response.status,
        headers=response.headers,
        body=response.body if body is None else body,
        request=response.request,
        flags=response.flags,
        ip_address=response.ip_address,
        protocol=response.protocol,
    )
