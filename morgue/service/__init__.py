"""On-demand archiving over HTTP: the API, its jobs, the capture index and the web page.

``morgue serve`` runs an aiohttp application in the same asyncio event loop as
Scrapy; each job is a small crawl of the save spider (``morgue.spiders.save``).
"""
