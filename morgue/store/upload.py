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
    the store's own transfer parallelises multipart parts). A store failure
    (``StoreError``) backs off from ``retry_delay`` up to ``max_retry_delay``
    seconds, without limit of attempts while the crawl runs; so does a pass
    that found every file locked by another process uploading it. Any other
    error is the file's own: it is logged once and the file is left in the
    spool, which counts it as pending at the end.

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
        delay = self.retry_delay
        warned_at = 0.0
        while True:
            files = [p for p in self.spool.ready() if p not in self._skipped]
            if not files:
                with self._wake:
                    if self._stopping:
                        return
                    self._wake.wait(1.0)
                continue
            outcome = self._pass(files)
            if outcome == "done":
                delay = self.retry_delay
                continue
            now = time.monotonic()
            with self._wake:
                if self._deadline is not None and now >= self._deadline:
                    return
                if outcome == "failed" and now - warned_at > 30:
                    warned_at = now
                    waiting = self.spool.ready()
                    self._log(
                        logging.WARNING, "Store %s unavailable (%s): %d files, %d bytes waiting in spool %s; retrying",
                        self.store.uri, self.last_error, len(waiting),
                        sum(_size(p) for p in waiting), self.spool.root,
                    )
                # Files another process is uploading go soon: look again shortly, never spin.
                timeout = delay if outcome == "failed" else self.retry_delay
                if self._deadline is not None:
                    timeout = min(timeout, max(self._deadline - now, 0))
                self._wake.wait(timeout)
            if outcome == "failed":
                delay = min(delay * 2, self.max_retry_delay)

    def _pass(self, files: list[Path]) -> str:
        """Try each file once: ``done`` if every file left, ``locked`` if some are another
        process's for now, ``failed`` if the store failed."""
        locked = False
        for path in files:
            size = _size(path)
            try:
                key = upload_one(self.store, path)
            except StoreError as e:
                self.last_error = str(e)
                self._inc(meta.UPLOAD_FAILED)
                return "failed"
            except Exception as e:  # noqa: BLE001 -- this file's own problem: the others go on
                self._skipped.add(path)
                self.last_error = f"{path.name}: {e}"
                self._inc(meta.UPLOAD_FAILED)
                self._log(logging.ERROR, "Cannot upload %s from spool %s; leaving it there: %s",
                          path.name, self.spool.root, e)
                continue
            if key is None:
                locked = locked or path.exists()
                continue
            self.uploaded.append(key)
            self._inc(meta.FILES_UPLOADED)
            self._inc(meta.BYTES_UPLOADED, size)
            self._log(logging.DEBUG, "Uploaded %s to %s", key, self.store.uri)
        return "locked" if locked else "done"

    def close(self, timeout: float) -> list[Path]:
        """Upload what is ready, trying for at most ``timeout`` seconds; returns what is left."""
        self.start()
        with self._wake:
            self._stopping = True
            self._deadline = time.monotonic() + timeout
            self._wake.notify_all()
        assert self._thread is not None
        self._thread.join(timeout + 5)
        left = self.spool.ready()
        if left:
            self._log(
                logging.ERROR, "%d files (%d bytes) could not be uploaded to %s and wait in %s: "
                "the next run or `morgue flush` uploads them (last error: %s)",
                len(left), sum(_size(p) for p in left), self.store.uri,
                self.spool.root, self.last_error,
            )
        return left


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # gone meanwhile: uploaded by another process
