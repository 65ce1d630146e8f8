"""The researcher's side of the archive: text records out of the store as a clean corpus.

``records`` reads text files streaming, member by member; ``rows`` turns a record into an
export row; ``catalogue`` keeps a small index per text file (so a filtered export reads only
what it needs); ``filters`` and ``dedup`` choose rows; ``work`` parses pieces of text files
(in threads); ``formats`` writes Parquet, JSON Lines or CSV; ``export`` ties them together;
``search`` answers full-text queries; ``synthetic`` makes records for tests and benchmarks.
Everything reads the store through the Store protocol and never reaches into the crawler.
"""
