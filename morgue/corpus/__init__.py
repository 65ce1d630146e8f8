"""The researcher's side of the archive: text records out of the store as a clean corpus.

``records`` reads text files streaming, ``catalogue`` keeps a small index per text
file (so a filtered export reads only what it needs), ``filters``, ``versions`` and
``dedup`` choose the rows, ``formats`` writes Parquet, JSON Lines or CSV, ``export``
ties them together, ``search`` answers full-text queries. Everything reads the store
through the Store protocol and never reaches into the crawler.
"""
