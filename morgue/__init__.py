"""morgue: news crawling into WARC archives and clean-text records."""

__version__ = "0.1.0"
