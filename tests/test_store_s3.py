"""S3Store against a real S3-compatible server (rclone serve s3) on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path

import pytest

from morgue.store import StoreError, file_sha256, open_store, s3
from morgue.store.s3 import MB, S3Store
from tests.s3server import (  # noqa: F401  (fixtures)
    BUCKET,
    S3Server,
    fixture_s3_env,
    fixture_s3_server,
    fixture_s3_server_factory,
)

FAST_FAILURE_SECONDS = 5


def put(store: S3Store, path: Path, data: bytes, key: str) -> None:
    """Write ``data`` to ``path`` and store it as ``key``, as the spool does."""
    path.write_bytes(data)
    store.put_file(path, key, hashlib.sha256(data).hexdigest())


def test_round_trip(s3_env: S3Server, tmp_path: Path) -> None:
    store = open_store(f"s3://{BUCKET}/run1/")
    assert isinstance(store, S3Store)
    assert store.uri == f"s3://{BUCKET}/run1"
    store.check()
    data = os.urandom(100_000)
    put(store, tmp_path / "a.warc.gz", data, "warc/2026/01/02/a.warc.gz")
    put(store, tmp_path / "b.jsonl.gz", b"{}\n", "text/2026/01/02/b.jsonl.gz")

    assert store.exists("warc/2026/01/02/a.warc.gz")
    assert not store.exists("warc/2026/01/02/missing.warc.gz")
    assert list(store.list()) == ["text/2026/01/02/b.jsonl.gz", "warc/2026/01/02/a.warc.gz"]
    assert list(store.list("warc/")) == ["warc/2026/01/02/a.warc.gz"]
    assert store.read_range("warc/2026/01/02/a.warc.gz", 1234, 5000) == data[1234:6234]
    assert store.read_range("warc/2026/01/02/a.warc.gz", len(data) - 10, 100) == data[-10:]
    with store.open("warc/2026/01/02/a.warc.gz") as f:
        assert f.read() == data
    # The object sits under the prefix, named by the key.
    assert (s3_env.root / BUCKET / "run1/warc/2026/01/02/a.warc.gz").read_bytes() == data
    # check() leaves no probe behind.
    assert not [p for p in (s3_env.root / BUCKET).rglob("*") if "write-check" in p.name]
    # One left over by an interrupted check() is not listed.
    (s3_env.root / BUCKET / "run1/.morgue-write-check-left-over").write_bytes(b"")
    assert list(store.list()) == ["text/2026/01/02/b.jsonl.gz", "warc/2026/01/02/a.warc.gz"]

    with pytest.raises(FileNotFoundError):
        store.read_range("warc/none.warc.gz", 0, 10)


def test_multipart_upload(s3_env: S3Server, tmp_path: Path) -> None:
    store = S3Store(BUCKET, "big", multipart_threshold=5 * MB, multipart_chunksize=5 * MB)
    path = tmp_path / "big.warc.gz"
    put(store, path, os.urandom(12 * MB + 12345), "warc/big.warc.gz")
    sha256 = file_sha256(path)
    digest = hashlib.sha256()
    with store.open("warc/big.warc.gz") as f:
        while chunk := f.read(MB):
            digest.update(chunk)
    assert digest.hexdigest() == sha256 == file_sha256(s3_env.root / BUCKET / "big/warc/big.warc.gz")
    # A range across a part boundary.
    data = path.read_bytes()
    assert store.read_range("warc/big.warc.gz", 5 * MB - 7, 20) == data[5 * MB - 7:5 * MB + 13]


def test_never_overwrites(s3_env: S3Server, tmp_path: Path) -> None:
    store = S3Store(BUCKET, "p")
    put(store, tmp_path / "one", b"first", "k/one")
    message = r"^store s3://morgue-test/p: k/one exists already; not overwriting$"
    with pytest.raises(StoreError, match=message):
        put(store, tmp_path / "two", b"second", "k/one")
    assert store.read_range("k/one", 0, 100) == b"first"


def test_bad_sha256_fails_verification_and_leaves_nothing(s3_env: S3Server, tmp_path: Path) -> None:
    store = S3Store(BUCKET)
    path = tmp_path / "f"
    path.write_bytes(b"content")
    with pytest.raises(StoreError, match=r"k/f failed verification after upload: .*SHA-256"):
        store.put_file(path, "k/f", "0" * 64)
    assert not store.exists("k/f")  # so that a corrected retry can write it


def test_service_checks_content_md5(s3_env: S3Server, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A body that does not match its Content-MD5 (as if corrupted on the way) is refused."""
    monkeypatch.setattr(s3, "_body_md5", lambda body: hashlib.md5(b"something else").digest())
    store = S3Store(BUCKET, max_attempts=1)
    message = r"cannot upload k/f: the service refused the data as corrupted in transit \(BadDigest\)$"
    with pytest.raises(StoreError, match=message):
        put(store, tmp_path / "f", b"content", "k/f")
    assert not store.exists("k/f")


def test_wrong_credentials(s3_env: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong_secret = "not-the-secret-" + "x" * 20
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong_secret)
    with pytest.raises(StoreError) as info:
        open_store(f"s3://{BUCKET}/p").check()
    message = str(info.value)
    assert message == f"store s3://{BUCKET}/p: wrong secret key (check AWS credentials)"
    assert wrong_secret not in message and s3_env.access_key not in message

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "nobody-we-know")
    message = r"^store s3://morgue-test/p: unknown access key \(check AWS credentials\)$"
    with pytest.raises(StoreError, match=message):
        open_store(f"s3://{BUCKET}/p").check()


def test_no_credentials(s3_env: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StoreError, match=r"^store s3://morgue-test: no usable AWS credentials"):
        open_store(f"s3://{BUCKET}").check()


def test_profile_and_service_specific_endpoint(s3_env: S3Server, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """AWS_PROFILE and AWS_ENDPOINT_URL_S3 work because boto3 reads them, not morgue."""
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile archive]\n"
        f"aws_access_key_id = {s3_env.access_key}\n"
        f"aws_secret_access_key = {s3_env.secret_key}\n"
        "region = us-east-1\n"
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "archive")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_env.endpoint)
    open_store(f"s3://{BUCKET}/p").check()

    monkeypatch.setenv("AWS_PROFILE", "absent")
    with pytest.raises(StoreError, match=r"^store s3://morgue-test/p: .*absent.* could not be found"):
        open_store(f"s3://{BUCKET}/p")


def test_missing_bucket(s3_env: S3Server) -> None:
    with pytest.raises(StoreError, match=r"^store s3://no-such-bucket/p: bucket does not exist$"):
        open_store("s3://no-such-bucket/p").check()


def test_unreachable_endpoint(s3_env: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        open_store(f"s3://{BUCKET}/p").check()
    assert time.monotonic() - started < FAST_FAILURE_SECONDS
    assert str(info.value) == (
        f"store s3://{BUCKET}/p: cannot reach endpoint http://127.0.0.1:{port} (Connection refused)"
    )


def test_server_restart_keeps_objects(s3_env: S3Server, tmp_path: Path) -> None:
    store = S3Store(BUCKET, "p", max_attempts=2)
    put(store, tmp_path / "a", b"alpha", "a")
    s3_env.stop()
    with pytest.raises(StoreError, match="cannot check b: cannot reach endpoint"):
        put(store, tmp_path / "b", b"beta", "b")
    s3_env.start()
    put(store, tmp_path / "b", b"beta", "b")
    assert list(store.list()) == ["a", "b"]


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("s3://", "no bucket name"),
        ("s3:///prefix", "no bucket name"),
        ("s3://Bad_Bucket/p", "bad bucket name"),
        ("s3://ab/p", "bad bucket name"),
        ("s3://bucket/a/../b", "bad prefix"),
        ("s3://bucket/p?x=1", "no query"),
    ],
)
def test_malformed_uri(uri: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(uri)


def test_credentials_in_uri_are_not_echoed() -> None:
    with pytest.raises(StoreError) as info:
        open_store("s3://AKIAEXAMPLE:hunter2secret@bucket/p")
    assert "hunter2secret" not in str(info.value) and "AKIAEXAMPLE" not in str(info.value)


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="MORGUE_S3_RETRY_MODE"):
        S3Store("bucket", retry_mode="eager")
    with pytest.raises(ValueError, match="MORGUE_S3_MAX_ATTEMPTS"):
        S3Store("bucket", max_attempts=0)


def test_default_spool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    one = S3Store("bucket", "a").default_spool()
    assert one.parent == tmp_path / "cache" / "morgue" / "spool"
    assert one != S3Store("bucket", "b").default_spool()
    assert one == S3Store.from_uri("s3://bucket/a/").default_spool()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert S3Store("bucket", "a").default_spool().parent == tmp_path / "home/.cache/morgue/spool"
