"""Scrapy extensions: uploading to the store, and saying how a crawl went."""
