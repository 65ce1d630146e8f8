"""Scrapy's robots.txt middleware, made safe for requests that wait on the same robots.txt,
and sharing the robots.txt it fetched with the spider.

While a site's robots.txt is being fetched, Scrapy's RobotsTxtMiddleware
(2.19) parks every other request to that site on one Deferred; turned into
asyncio futures, only the first waiter gets the parser and the others get
None, which it reads as "no robots.txt": those requests go out unchecked.
This subclass looks the parser up again after the wait, so every request
is checked.

It also sends :data:`robots_fetched` with the robots.txt response (None when it
could not be fetched) before any request waiting on it goes on: the news spider
reads its ``Sitemap:`` lines from it instead of fetching robots.txt a second
time. Scrapy's own ``robots_parsed`` signal carries only the parser, which does
not give the sitemaps, and is not sent when the fetch fails: hence the two
overrides of Scrapy's private ``_parse_robots`` and ``_robots_error``, kept here.
Settings and stats are Scrapy's own.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

#: signal: ``response`` (the robots.txt response, or None) and ``netloc`` (the host it is for)
robots_fetched = object()


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            known = self._parsers.get(urlparse_cached(request).netloc)
            if known is not None and not isinstance(known, Deferred):
                return known
        return parser

    async def _parse_robots(self, response, netloc, request) -> None:
        await self.crawler.signals.send_catch_log_async(signal=robots_fetched, response=response, netloc=netloc)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc, netloc) -> None:
        self.crawler.signals.send_catch_log(signal=robots_fetched, response=None, netloc=netloc)
        super()._robots_error(exc, netloc)
