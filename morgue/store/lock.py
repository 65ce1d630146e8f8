"""A lock per store and site, kept in the store (``locks/<site>.lock``), so that two crawls never overlap.

The lock object holds JSON (run, host, pid, start); its modification time is
the heartbeat, renewed every ``stale / 4`` seconds (at most every minute)
while the run lives. Another run finds it:

- live: ``LockHeld`` (the CLI exits 5 at once);
- stale, its heartbeat older than ``stale`` seconds (a killed run, a machine
  restart): taken over, with a warning;
- left by a process of this host that no longer exists (``kill -9``): taken
  over at once.

Back-ends: a local store creates the file with ``O_EXCL`` and takes a stale
one over by renaming it aside first (only one taker's rename succeeds). An
S3 store looks for the object, puts it with ``If-None-Match: *`` and reads
it back (a service that ignores the condition, as rclone does, keeps the
last of two runs that put it at the same moment: the other sees a foreign
run ID and backs off), renews it by copying it onto itself, and
deletes it at the end. This module reaches into ``S3Store``'s client and
``LocalStore``'s root: the ``Store`` protocol has no conditional write or
delete (the adapter is here, in one place).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from morgue.store.base import Store, StoreError

PREFIX = "locks/"


class LockHeld(Exception):
    """Another run holds the lock; the message is the one line the CLI prints."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StoreLock:
    def __init__(self, store: Store, site: str, stale: float = 900.0):
        self.store = store
        self.site = site
        self.key = f"{PREFIX}{site}.lock"
        self.stale = stale
        self.run = uuid.uuid4().hex
        self.held = False
        self.taken_over: dict | None = None  # the stale holder this run replaced
        self.info = {"run": self.run, "host": socket.gethostname(), "pid": os.getpid(),
                     "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "site": site}
        self._backend = _LocalBackend(store, self.key) if hasattr(store, "root") else _S3Backend(store, self.key)

    @property
    def heartbeat_interval(self) -> float:
        return max(0.5, min(60.0, self.stale / 4))

    def acquire(self) -> None:
        body = json.dumps(self.info).encode()
        for _ in range(3):
            if self._backend.create(body, self.run):
                self.held = True
                return
            holder, age = self._backend.read()
            if holder is None:
                continue  # released meanwhile: try again
            dead = holder.get("host") == socket.gethostname() and not _alive(int(holder.get("pid") or 0))
            if age is not None and age < self.stale and not dead:
                raise LockHeld(
                    f"another crawl of {self.site} into {self.store.uri} is running (pid {holder.get('pid')} on "
                    f"{holder.get('host')}, since {holder.get('started')}, heartbeat {age:.0f} s ago); "
                    f"exiting (a lock whose heartbeat stops is taken over after {self.stale:.0f} s)")
            self._backend.break_stale(holder)
            self.taken_over = holder
        raise LockHeld(f"cannot take the lock {self.key} in {self.store.uri}: other runs keep taking it")

    def holder(self) -> dict | None:
        """What the lock object says of its holder (``run``, ``host``, ``pid``), or None if there is none."""
        return self._backend.read()[0]

    def beat(self) -> None:
        if self.held:
            self._backend.touch()

    def release(self) -> None:
        if self.held:
            self.held = False
            self._backend.delete(self.run)


class _LocalBackend:
    def __init__(self, store: Any, key: str):
        self.path = store.root.joinpath(*key.split("/"))

    def create(self, body: bytes, run: str) -> bool:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        except OSError as e:
            raise StoreError(f"cannot write the lock {self.path}: {e.strerror or e}") from None
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        return True

    def read(self) -> tuple[dict | None, float | None]:
        try:
            age = time.time() - self.path.stat().st_mtime
            return json.loads(self.path.read_bytes() or b"{}"), age
        except FileNotFoundError:
            return None, None
        except ValueError:  # being written: treat as live
            return {}, 0.0

    def break_stale(self, holder: dict) -> None:
        aside = self.path.with_name(f".{self.path.name}.stale-{uuid.uuid4().hex}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return  # another run took it over first
        aside.unlink(missing_ok=True)

    def touch(self) -> None:
        with contextlib.suppress(OSError):
            os.utime(self.path)

    def delete(self, run: str) -> None:
        holder, _ = self.read()
        if holder and holder.get("run") == run:
            self.path.unlink(missing_ok=True)


class _S3Backend:
    def __init__(self, store: Any, key: str):
        self.store = store
        self.full_key = store._key(key)  # the adapter: S3Store's own key and client

    @property
    def client(self) -> Any:
        return self.store._client

    def create(self, body: bytes, run: str) -> bool:
        holder, _ = self.read()
        if holder is not None:  # a service that ignores If-None-Match would let the put overwrite it
            return False
        try:
            self.client.put_object(Bucket=self.store.bucket, Key=self.full_key, Body=body, IfNoneMatch="*")
        except Exception as e:  # noqa: BLE001 - botocore's errors, told apart by code
            code = getattr(e, "response", {}).get("Error", {}).get("Code", "")
            if code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return False
            raise StoreError(f"store {self.store.uri}: cannot write the lock {self.full_key}: {e}") from None
        holder, _ = self.read()  # a service that ignores If-None-Match: the last writer wins
        return bool(holder) and holder.get("run") == run

    def read(self) -> tuple[dict | None, float | None]:
        try:
            obj = self.client.get_object(Bucket=self.store.bucket, Key=self.full_key)
        except Exception as e:  # noqa: BLE001
            code = getattr(e, "response", {}).get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404"):
                return None, None
            raise StoreError(f"store {self.store.uri}: cannot read the lock {self.full_key}: {e}") from None
        beat = (obj.get("Metadata") or {}).get("heartbeat")
        last = float(beat) if beat else obj["LastModified"].timestamp()
        try:
            holder = json.loads(obj["Body"].read() or b"{}")
        except ValueError:
            holder = {}
        return holder, time.time() - last

    def break_stale(self, holder: dict) -> None:
        self.client.delete_object(Bucket=self.store.bucket, Key=self.full_key)

    def touch(self) -> None:
        # a missed beat only makes the lock look older
        with contextlib.suppress(Exception):
            self.client.copy_object(
                Bucket=self.store.bucket, Key=self.full_key, MetadataDirective="REPLACE",
                CopySource={"Bucket": self.store.bucket, "Key": self.full_key},
                Metadata={"heartbeat": f"{time.time():.0f}"},
            )

    def delete(self, run: str) -> None:
        with contextlib.suppress(Exception):  # left behind, it goes stale
            holder, _ = self.read()
            if holder and holder.get("run") == run:
                self.client.delete_object(Bucket=self.store.bucket, Key=self.full_key)
