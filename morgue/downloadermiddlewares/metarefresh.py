"""Scrapy's meta refresh redirects, looked for in the head of the page only.

Scrapy's MetaRefreshMiddleware reads ``response.text``: the whole body is
decoded and the text stays on the response for as long as the page waits
for its extraction, up to four times the body's size for each page in
flight. Scrapy only looks at the first 4,096 characters of it, so this
subclass hands it a copy of the response cut to the bytes those characters
can take (``morgue.responses``). Settings and behaviour are Scrapy's own.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.http import HtmlResponse, Request, Response

from morgue.utils.responses import uncached_copy

HEAD_BYTES = 4 * 4096  # 4,096 characters of at most 4 bytes each


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not isinstance(response, HtmlResponse) or len(response.body) <= HEAD_BYTES:
            return super().process_response(request, response)
        head = uncached_copy(response, response.body[:HEAD_BYTES])
        result = super().process_response(request, head)
        return response if result is head else result
