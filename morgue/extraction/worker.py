"""What an extraction worker process runs: its start, and the call for each page.

Each worker loads the extractor when it starts (about 0.4 s), rather than the
pool's forkserver loading it once for all: the forkserver, a process of its
own for the whole crawl, then holds 22 MB instead of 43.

After a large page the C heap goes back to the system (glibc's
``malloc_trim``): lxml's tree of a 200 kB page takes tens of MB, which glibc
would otherwise keep, so that a worker stayed the size of the largest page
it ever parsed. Small pages skip it: it costs about a millisecond.

trafilatura's justext fallback, on a page whose language it is not told,
loads the stoplists of every language justext knows and keeps them, with
justext's lower-cased copy, for the life of the process: 28 MB per worker,
for 1 page in 200 or so. They are let go after such a page (rebuilding them
takes 0.13 s the next time).

Importing this module is cheap: the crawler process names these functions
to its workers, and only the workers load the extractor.
"""

from __future__ import annotations

import ctypes
import signal
import sys

from morgue.extraction import extract

#: pages over this many bytes hand their memory back once extracted
TRIM_AFTER_BYTES = 100_000


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: its allocator behaves otherwise
        return None


_trim = _malloc_trim()


def _release_stoplists() -> bool:
    """Drop the all-language stoplists if the page just extracted made trafilatura load them."""
    external = sys.modules.get("trafilatura.external")
    if external is None or not getattr(external, "JT_STOPLIST", None):
        return False
    external.JT_STOPLIST = None
    sys.modules["justext.core"].define_stoplist.cache_clear()
    return True


def extract_page(body: bytes, url: str, encoding: str | None) -> dict:
    """``morgue.extraction.extract``, then memory handed back after a large or unusual page."""
    try:
        return extract(body, url, encoding)
    finally:
        released = _release_stoplists()
        if _trim is not None and (released or len(body) > TRIM_AFTER_BYTES):
            _trim(0)


def start() -> None:
    """Load and warm up the extractor before the worker's first page.

    Ctrl-C on a terminal reaches the whole process group: the crawler decides what an
    interruption means (finish the files, or stop at once), so a worker ignores SIGINT
    instead of dying mid-page with a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    extract(b"<html><body><article><p>Warming up the extractor.</p></article></body></html>", "http://localhost/")
