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
from pathlib import Path

from morgue import meta
from morgue.store import Store, StoreError, file_sha256
from morgue.store.names import key_for
from morgue.store.spool import Spool

logger = logging.getLogger(__name__)


def upload_one(store: Store, path: Path) -> str | None:
    """Upload one finished spool file and delete the local copy; returns its key.

    Returns None when another process sharing the spool is uploading it.
    """
    key = key_for(path.name)
    with open(path, "rb") as lock:
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
    the store's own transfer parallelises multipart parts); failures back off
    from ``retry_delay`` up to ``max_retry_delay`` seconds, without limit of
    attempts while the crawl runs.
    """

    def __init__(
        self,
        store: Store,
        spool: Spool,
        stats=None,
        retry_delay: float = 1.0,
        max_retry_delay: float = 60.0,
    ):
        self.store = store
        self.spool = spool
        self.stats = stats
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self._wake = threading.Condition()
        self._stopping = False
        self._deadline: float | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self.uploaded: list[str] = []
        self.last_error: str | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="morgue-upload", daemon=True)
            self._thread.start()

    def notify(self) -> None:
        """A file was added to ``ready/``."""
        with self._wake:
            self._wake.notify_all()

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, n)

    def _run(self) -> None:
        delay = self.retry_delay
        warned_at = 0.0
        while True:
            with self._wake:
                files = self.spool.ready()
                if not files:
                    if self._stopping:
                        return
                    self._wake.wait(1.0)
                    continue
                self._busy = True
            failed = False
            for path in files:
                if not path.exists():
                    continue
                size = path.stat().st_size
                try:
                    key = upload_one(self.store, path)
                except (StoreError, OSError) as e:
                    failed = True
                    self.last_error = str(e)
                    self._inc(meta.UPLOAD_FAILED)
                    break
                if key is None:
                    continue
                self.uploaded.append(key)
                self._inc(meta.FILES_UPLOADED)
                self._inc(meta.BYTES_UPLOADED, size)
                logger.debug("Uploaded %s to %s", key, self.store.uri)
            with self._wake:
                self._busy = False
                if not failed:
                    delay = self.retry_delay
                    continue
                if self._deadline is not None and time.monotonic() >= self._deadline:
                    return
                now = time.monotonic()
                if now - warned_at > 30:
                    warned_at = now
                    files = self.spool.ready()
                    logger.warning(
                        "Store %s unavailable (%s): %d files, %d bytes waiting in spool %s; retrying",
                        self.store.uri, self.last_error, len(files),
                        sum(p.stat().st_size for p in files if p.exists()), self.spool.root,
                    )
                timeout = delay
                if self._deadline is not None:
                    timeout = min(timeout, max(self._deadline - now, 0))
                self._wake.wait(timeout)
                delay = min(delay * 2, self.max_retry_delay)

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
        if self.stats is not None:
            self.stats.set_value(meta.FILES_PENDING, len(left))
        if left:
            logger.error(
                "%d files (%d bytes) could not be uploaded to %s and wait in %s: "
                "the next run or `morgue flush` uploads them (last error: %s)",
                len(left), sum(p.stat().st_size for p in left), self.store.uri,
                self.spool.root, self.last_error,
            )
        return left
