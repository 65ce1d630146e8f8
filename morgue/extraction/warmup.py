"""Loaded once by the extraction pool's forkserver, before it forks any worker.

Every worker then starts with the extractor imported and the language
model (about 74 MB) in memory it shares with the others, instead of
loading a copy of its own on its first page.
"""

import py3langid

import morgue.extract  # noqa: F401  (imported for its side: the forkserver preloads it)

py3langid.classify("loading the language model once for every worker")
