"""Article extraction: HTML bytes to a text record (see ``morgue.extract`` for the contract).

One job per module: ``decode`` (bytes to text), ``prune`` (boilerplate boxes out of the page),
``article`` (the extraction pass and its checks), ``fallback`` (failure check, second extractor),
``blocks`` and ``phrases`` (cleaning inside the article), ``metadata``, ``files`` (the CLI side).
"""
