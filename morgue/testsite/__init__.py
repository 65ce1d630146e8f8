"""A local news site on 127.0.0.1 for morgue's tests and ``morgue demo``.

>>> with NewsSite() as site:  # doctest: +SKIP
...     site.url, [a["path"] for a in site.articles]
"""

from morgue.testsite.server import NewsSite

__all__ = ["NewsSite"]
