"""The local folder where archive files are written before they reach the store.

``open/`` holds files being written, each locked (``flock``) by the process
writing it; ``ready/`` holds finished files waiting for upload. A file in
``open/`` whose lock nobody holds was left by a crashed process: it is
repaired and moved to ``ready/`` by the next run. Locks, not PIDs, decide,
so several crawler processes can share one spool. A file in ``ready/``
whose name is not morgue's has no store key: it is moved aside to
``rejected/``.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from pathlib import Path
from typing import BinaryIO

from morgue.store.base import StoreError
from morgue.store.names import key_for
from morgue.store.repair import repair_gzip_members

logger = logging.getLogger(__name__)

#: a hidden ``.NAME.new`` file older than this, and unlocked, was left by a writer that died creating it
STALE_NEW_SECONDS = 60.0


class SpoolFile:
    """One archive file being written (an ``ArchiveFile``): append-only, locked, moved to ``ready/`` when finished.

    It is created under a hidden name, locked, and only then given its real name in ``open/``:
    a run repairing ``open/`` never sees a file whose writer has not locked it yet. Writes are
    unbuffered (each is a whole record, flushed at once anyway): after a failed write no
    half-record waits in a buffer to land after ``cut``.
    """

    def __init__(self, spool: Spool, name: str):
        self.name = name
        self.path = spool.open_dir / name
        self._ready_path = spool.ready_dir / name
        hidden = spool.open_dir / f".{name}.new"
        self.file: BinaryIO = open(hidden, "xb", buffering=0)  # noqa: SIM115 (open while the file is written)
        # Blocking: a run cleaning up stale hidden files may hold the lock for an instant.
        fcntl.flock(self.file.fileno(), fcntl.LOCK_EX)
        os.replace(hidden, self.path)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # an unbuffered write may take only part
            written = self.file.write(view)
            assert written is not None  # a regular file never asks to wait
            view = view[written:]

    def tell(self) -> int:
        return self.file.tell()

    def cut(self, offset: int) -> None:
        self.file.truncate(offset)
        self.file.seek(offset)

    def flush(self) -> None:
        self.file.flush()

    def finish(self) -> Path:
        """Flush to disk and hand the file over to ``ready/``; returns its new path."""
        self.file.flush()
        os.fsync(self.file.fileno())
        os.replace(self.path, self._ready_path)
        self.file.close()  # releases the lock only once the file has left open/
        return self._ready_path


class Spool:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.open_dir = self.root / "open"
        self.ready_dir = self.root / "ready"
        self.rejected_dir = self.root / "rejected"
        self._unmovable: set[str] = set()  # strays already warned about

    def prepare(self) -> None:
        """Make the spool's folders and prove they can be written; StoreError says why not."""
        try:
            self._make_dirs()
            probe = self.open_dir / f".write-check-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise StoreError(f"cannot write to spool {self.root}: {e.strerror or e}") from None

    def create(self, name: str) -> SpoolFile:
        key_for(name)  # refuse names that would give no stable key
        self._make_dirs()
        return SpoolFile(self, name)

    def _make_dirs(self) -> None:
        self.open_dir.mkdir(parents=True, exist_ok=True)
        self.ready_dir.mkdir(parents=True, exist_ok=True)

    def ready(self) -> list[Path]:
        """Finished files waiting for upload, oldest name first; strays are moved to ``rejected/``."""
        if not self.ready_dir.is_dir():
            return []
        files = []
        for path in sorted(self.ready_dir.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            try:
                key_for(path.name)
            except ValueError:
                self._reject(path)
                continue
            files.append(path)
        return files

    def _reject(self, path: Path) -> None:
        """Move a file that is not morgue's out of the upload queue, once, with a warning."""
        try:
            self.rejected_dir.mkdir(exist_ok=True)
            os.replace(path, self.rejected_dir / path.name)
        except FileNotFoundError:
            return  # another process sharing the spool moved it first
        except OSError as e:
            if path.name not in self._unmovable:
                self._unmovable.add(path.name)
                logger.warning("Ignoring %s in spool %s: not a morgue archive file, and it cannot be "
                               "moved to rejected/ (%s)", path.name, self.root, e.strerror or e)
            return
        logger.warning("Moved %s from spool %s to its rejected/ folder: not a morgue archive file",
                       path.name, self.root)

    def recover(self) -> list[Path]:
        """Repair the files that crashed writers left in ``open/`` and move them to ``ready/``."""
        if not self.open_dir.is_dir():
            return []
        recovered = []
        for path in sorted(self.open_dir.iterdir()):
            if path.name.startswith("."):
                if path.name.endswith(".new"):
                    self._remove_if_stale(path)
                continue  # being created (see SpoolFile)
            try:
                f = open(path, "r+b")  # noqa: SIM115 (closed by the with below)
            except OSError:
                continue
            with f:
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live writer holds it
                if not path.exists():  # finished by its writer meanwhile
                    continue
                kept, dropped = repair_gzip_members(f)
                if kept == 0:
                    path.unlink()
                    logger.warning("Removed empty spool file %s left by a crashed run", path.name)
                    continue
                os.replace(path, self.ready_dir / path.name)
            logger.warning(
                "Recovered %s left by a crashed run: kept %d bytes, dropped %d incomplete bytes",
                path.name, kept, dropped,
            )
            recovered.append(self.ready_dir / path.name)
        return recovered

    def _remove_if_stale(self, path: Path) -> None:
        """Remove a hidden ``.NAME.new`` left by a writer that died while creating it.

        Only an old one whose lock is free: its writer locks it right after creating it,
        and renames it right after locking it, so a young or locked one is still in hand.
        """
        try:
            f = open(path, "rb")  # noqa: SIM115 (closed by the with below)
        except OSError:
            return  # renamed by its writer meanwhile
        with f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            if time.time() - os.fstat(f.fileno()).st_mtime < STALE_NEW_SECONDS:
                return
            path.unlink(missing_ok=True)
        logger.warning("Removed %s, left in spool %s by a writer that died creating it", path.name, self.root)


def spool_from_settings(settings, store=None) -> Spool:
    """``MORGUE_SPOOL`` if set, else the default spool folder of ``store`` (or of ``MORGUE_STORE``)."""
    root = settings.get("MORGUE_SPOOL")
    if not root:
        if store is None:
            from morgue.store import store_from_settings

            store = store_from_settings(settings)
        root = store.default_spool()
    return Spool(Path(root).expanduser())
