"""A folder on this machine as the archive."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from morgue.store.base import StoreError, check_key, file_sha256


class LocalStore:
    """Files under a root folder; keys are relative paths with ``/``."""

    def __init__(self, root: Path):
        self.root = root
        self.uri = str(root)

    @classmethod
    def from_uri(cls, uri: str) -> LocalStore:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost"):
                raise StoreError(f"invalid store {uri!r}: file:// URIs name a local path")
            path = unquote(parts.path)
        else:
            path = uri
        return cls(Path(path).expanduser().absolute())

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def check(self) -> None:
        for folder in (self.root, *self.root.parents):
            if folder.exists() and not folder.is_dir():
                if folder == self.root:
                    raise StoreError(f"store {self.uri} is a file, not a folder")
                raise StoreError(f"store {self.uri} is not writable: {folder} is a file, not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".morgue-write-check-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise StoreError(f"store {self.uri} is not writable: {e.strerror or e}") from e

    def default_spool(self) -> Path:
        # Inside the store, so that handing a file over is a rename on one file system.
        return self.root / ".spool"

    def put_file(self, path: Path, key: str, sha256: str) -> None:
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{os.getpid()}.part")
            try:
                os.link(path, partial)
            except OSError:
                shutil.copyfile(path, partial)
            try:
                if file_sha256(partial) != sha256:
                    raise StoreError(f"store {self.uri}: {key} does not match its SHA-256 after copy")
                # link() fails if the target exists: never overwrite an object.
                os.link(partial, target)
            except FileExistsError:
                raise StoreError(f"store {self.uri}: {key} exists already; not overwriting") from None
            finally:
                partial.unlink(missing_ok=True)
        except OSError as e:
            raise StoreError(f"store {self.uri}: cannot write {key}: {e.strerror or e}") from e

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        keys = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        yield from sorted(keys)

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        with open(self._path(key), "rb") as f:
            f.seek(offset)
            return f.read(length)

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")
