"""Scrapy's robots.txt middleware, made safe for requests that wait on the same robots.txt.

While a site's robots.txt is being fetched, Scrapy's RobotsTxtMiddleware
(2.19) parks every other request to that site on one Deferred; turned into
asyncio futures, only the first waiter gets the parser and the others get
None, which it reads as "no robots.txt": those requests go out unchecked.
This subclass looks the parser up again after the wait, so every request
is checked. Nothing else changes: settings and stats are Scrapy's own.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            known = self._parsers.get(urlparse_cached(request).netloc)
            if known is not None and not isinstance(known, Deferred):
                return known
        return parser
