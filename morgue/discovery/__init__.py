"""Finding articles: sitemaps, feeds, links and pages, as pure functions over bytes and URLs.

Nothing here fetches or knows Scrapy's objects, so the rules can be tested on
their own and reused by every kind of crawl. One job per module: ``entry``
(what a source announced), ``documents`` (reading XML safely, as a stream), ``sitemaps``,
``feeds``, ``links`` (article-like URLs, documents an article links to),
``pages`` (what kind of page a fetched page is), ``jsonld``, ``dates``,
``urls`` (the URLs a user gives, the hosts and schemes a crawl stays on).
"""
