"""The one place morgue reaches into Scrapy's downloader: dropping the requests that wait for a slot.

Scrapy 2.19 has no public way to cancel requests the engine has already
handed to the downloader; they wait in each slot's ``queue`` (a deque of
``(request, deferred)``) for the slot's delay and concurrency to let them
through, and the engine closes a spider only after every one of them is
fetched. On Ctrl-C morgue fails them with ``IgnoreRequest`` instead, as
Scrapy does for a request a middleware refuses: no download, no error in the
log, the request's errback is told. Requests already being downloaded are
left alone. If Scrapy changes its ``Slot``, this does nothing.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure


def drop_waiting_requests(downloader: Any, reason: str = "the crawl was interrupted") -> int:
    """Fail every request waiting in a download slot's queue; return how many."""
    dropped = 0
    for slot in list(getattr(downloader, "slots", {}).values()):
        queue = getattr(slot, "queue", None)
        while queue:
            _request, deferred = queue.popleft()
            deferred.errback(Failure(IgnoreRequest(reason)))
            dropped += 1
    return dropped
