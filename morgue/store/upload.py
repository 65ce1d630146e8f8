"""Moving finished spool files into the store, verified, retried, never dropped.

A file leaves the spool only after the store confirmed it whole. While the
store is away, files wait in ``ready/`` and are retried with growing delays;
whatever is still there when a run ends is uploaded first by the next run or
by ``morgue flush``.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from morgue import meta
from morgue.store import Store, StoreError, file_sha256
from morgue.store.names import key_for
from morgue.store.spool import Spool

logger = logging.getLogger(__name__)


def upload_one(store: Store, path: Path) -> str | None:
    """Upload one finished spool file and delete the local copy; returns its key.

    Returns None when another process sharing the spool is uploading it, or has already.
    """
    key = key_for(path.name)
    try:
        lock = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except FileNotFoundError:
        return None
    with lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        if not path.exists():
            return None
        sha256 = file_sha256(path)
        try:
            store.put_file(path, key, sha256)
        except StoreError:
            # A previous attempt may have succeeded before we lost the answer.
            if not _already_there(store, key, path):
                raise
        if key.startswith("text/"):  # its catalogue entries, so that a filtered export can skip it
            from morgue.corpus.entries import upload_catalogue

            upload_catalogue(store, path, key)
        elif key.startswith("warc/"):  # its CDXJ index, so that a capture is found by URL without a scan
            from morgue.warc.cdxj import upload_index

            upload_index(store, path, key)
        path.unlink(missing_ok=True)
    return key


def _already_there(store: Store, key: str, path: Path) -> bool:
    """Whether ``key`` holds this very file: a gzip file ends in its CRC and length."""
    try:
        if not store.exists(key):
            return False
        size = path.stat().st_size
        with open(path, "rb") as f:
            f.seek(max(size - 8, 0))
            tail = f.read()
        start = max(size - 8, 0)
        return store.read_range(key, start, 16) == tail
    except (StoreError, OSError):
        return False


class Uploader:
    """Uploads spool files on a background thread, so the crawl never waits on the store.

    One thread uploads one file at a time in name order (files are large and
    the store's own transfer parallelises multipart parts). A file the store
    refuses (``StoreError``) is tried again after a pause growing from
    ``retry_delay`` to ``max_retry_delay`` seconds, without limit of attempts
    while the crawl runs; when the store refuses every file it is tried, the
    store itself pauses so. A file another process sharing the spool is
    uploading is looked at again after ``retry_delay``. Any other error is the
    file's own: it is logged once and the file is left in the spool, which
    counts it as pending at the end.

    The thread never touches Scrapy's stats (the reactor thread iterates them):
    it keeps its counters here, and ``counts()`` hands a copy to the reactor
    thread. Its log lines, which Scrapy counts in the stats, go through
    ``call_soon`` (``reactor.callFromThread`` in a crawl) for the same reason.
    """

    def __init__(self, store: Store, spool: Spool, retry_delay: float = 1.0, max_retry_delay: float = 60.0,
                 call_soon: Callable[..., object] | None = None):
        self.store = store
        self.call_soon = call_soon
        self.spool = spool
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._wake = threading.Condition()
        self._stopping = False
        self._deadline: float | None = None
        self._thread: threading.Thread | None = None
        self._counts_lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._skipped: set[Path] = set()  # files that failed on their own: not retried this run
        self._not_before: dict[Path, float] = {}  # files waiting for their next attempt (monotonic time)
        self._delays: dict[Path, float] = {}  # each refused file's next pause
        self.uploaded: list[str] = []
        self.last_error: str | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="morgue-upload", daemon=True)
            self._thread.start()

    def counts(self) -> dict[str, int]:
        """The stats this uploader has to report so far (``store/...`` keys), a copy."""
        with self._counts_lock:
            return dict(self._counts)

    def _log(self, level: int, msg: str, *args: object, exc_info: BaseException | None = None) -> None:
        if not logger.isEnabledFor(level):
            return
        if self.call_soon is None:
            logger.log(level, msg, *args, exc_info=exc_info)
        else:
            self.call_soon(lambda: logger.log(level, msg, *args, exc_info=exc_info))

    def _inc(self, key: str, n: int = 1) -> None:
        with self._counts_lock:
            self._counts[key] = self._counts.get(key, 0) + n

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as e:  # noqa: BLE001 -- a bug, not the file's or the store's fault: say so
            self._log(logging.ERROR, "The upload thread stopped; files wait in spool %s", self.spool.root,
                      exc_info=e)
            self.last_error = "the upload thread stopped on an unexpected error (see the log)"

    def _loop(self) -> None:
        store_delay = self.retry_delay
        store_retry_at = warned_at = 0.0
        while True:
            # The flag first, then the listing: close() comes after the writers finished their files,
            # so a listing made after the flag was seen holds them all. The other way round, a file
            # finished between the listing and the flag was left behind.
            with self._wake:
                stopping, deadline = self._stopping, self._deadline
            files = [p for p in self.spool.ready() if p not in self._skipped]
            for gone in self._not_before.keys() - set(files):  # uploaded, perhaps by another process
                self._not_before.pop(gone)
                self._delays.pop(gone, None)
            now = time.monotonic()
            if stopping and (not files or (deadline is not None and now >= deadline)):
                return
            due = [p for p in files if self._not_before.get(p, 0.0) <= now] if now >= store_retry_at else []
            if due:
                store_failures, store_down = self._pass(due)
                if store_down:
                    store_retry_at = time.monotonic() + store_delay
                    store_delay = min(store_delay * 2, self.max_retry_delay)
                elif not store_failures:
                    store_delay = self.retry_delay
                if store_failures and time.monotonic() - warned_at > 30:
                    warned_at = time.monotonic()
                    waiting = self.spool.ready()
                    self._log(
                        logging.WARNING, "Store %s unavailable (%s): %d files, %d bytes waiting in spool %s; retrying",
                        self.store.uri, self.last_error, len(waiting),
                        sum(_size(p) for p in waiting), self.spool.root,
                    )
                continue
            # Nothing to try now: sleep until a file is due again, the store's pause ends,
            # the crawl's end, or a second (new files).
            wake_at = min([now + 1.0, store_retry_at, *(self._not_before.get(p, now) for p in files)])
            if deadline is not None:
                wake_at = min(wake_at, deadline)
            with self._wake:
                if self._stopping == stopping:  # else close() came meanwhile: look again at once
                    self._wake.wait(max(wake_at - now, 0.01))

    def _pass(self, files: list[Path]) -> tuple[int, bool]:
        """Try each file once; returns (store failures, whether the store looks down).

        A file another process holds is tried again shortly; a file the store refused
        backs off on its own, so that one bad file never holds the others up; two files
        refused in a row mean the store is away, and the pass stops.
        """
        failures = in_a_row = 0
        for path in files:
            size = _size(path)
            try:
                key = upload_one(self.store, path)
            except StoreError as e:
                self.last_error = str(e)
                self._inc(meta.UPLOAD_FAILED)
                delay = self._delays.get(path, self.retry_delay)
                self._not_before[path] = time.monotonic() + delay
                self._delays[path] = min(delay * 2, self.max_retry_delay)
                failures += 1
                in_a_row += 1
                if in_a_row >= 2:
                    return failures, True
                continue
            except Exception as e:  # noqa: BLE001 -- this file's own problem: the others go on
                self._skipped.add(path)
                self.last_error = f"{path.name}: {e}"
                self._inc(meta.UPLOAD_FAILED)
                self._log(logging.ERROR, "Cannot upload %s from spool %s; leaving it there: %s",
                          path.name, self.spool.root, e)
                continue
            if key is None:  # another process is uploading it: look again shortly, never spin
                if path.exists():
                    self._not_before[path] = time.monotonic() + self.retry_delay
                continue
            in_a_row = 0
            self.uploaded.append(key)
            self._inc(meta.FILES_UPLOADED)
            self._inc(meta.BYTES_UPLOADED, size)
            self._log(logging.DEBUG, "Uploaded %s to %s", key, self.store.uri)
        return failures, failures > 0 and failures == len(files)

    def close(self, timeout: float) -> list[Path]:
        """Upload what is ready, trying for at most ``timeout`` seconds; returns what is left."""
        self.start()
        with self._wake:
            self._stopping = True
            self._deadline = time.monotonic() + timeout
            self._wake.notify_all()
        assert self._thread is not None
        self._thread.join(timeout + 5)
        # Files another process sharing the spool readied after the last pass (workers of a distributed crawl
        # on one machine end together): tried once here, and not counted while another process uploads them.
        newcomers = [p for p in self.spool.ready() if p not in self._delays and p not in self._skipped]
        if newcomers:
            self._pass(newcomers)
        left = [p for p in self.spool.ready() if not _held_elsewhere(p)]
        if left:
            self._log(
                logging.ERROR, "%d files (%d bytes) could not be uploaded to %s and wait in %s: "
                "the next run or `morgue flush` uploads them (last error: %s)",
                len(left), sum(_size(p) for p in left), self.store.uri,
                self.spool.root, self.last_error,
            )
        return left


def _held_elsewhere(path: Path) -> bool:
    """Whether another process is uploading ``path`` right now (it holds the file's lock: see ``upload_one``)."""
    try:
        with open(path, "rb") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    except FileNotFoundError:
        return True  # uploaded meanwhile
    return False


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # gone meanwhile: uploaded by another process
