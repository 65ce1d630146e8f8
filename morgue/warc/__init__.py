"""WARC records and files."""
