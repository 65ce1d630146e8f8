"""An S3 bucket (AWS or any S3-compatible service) as the archive, through boto3.

Configuration is boto3's own: the default credential chain, ``AWS_PROFILE``,
``AWS_REGION`` and ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` for non-AWS
services. Nothing here reads or prints a credential: messages name the store
by ``s3://bucket/prefix`` and the endpoint without any user information.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import uuid
from collections.abc import Iterator
from functools import cached_property
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit, urlunsplit

import boto3
import s3transfer.exceptions
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from morgue.store.base import StoreError, check_key

logger = logging.getLogger(__name__)

MB = 1024 * 1024
RETRY_MODES = ("standard", "adaptive")
#: algorithms botocore computes itself; CRC32C and CRC64NVME need ``botocore[crt]``
CHECKSUM_ALGORITHMS = ("SHA256", "SHA1", "CRC32", "CRC32C", "CRC64NVME")
# DNS-compatible bucket names (what AWS and every S3-compatible service accept).
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_AUTH_ERRORS = {
    "InvalidAccessKeyId": "unknown access key (check AWS credentials)",
    "SignatureDoesNotMatch": "wrong secret key (check AWS credentials)",
    "AccessDenied": "access denied (check AWS credentials and bucket permissions)",
    "403": "access denied (check AWS credentials and bucket permissions)",
    "AllAccessDisabled": "access to the bucket is disabled",
    "ExpiredToken": "AWS credentials have expired",
    "TokenRefreshRequired": "AWS credentials have expired",
    "InvalidToken": "invalid AWS session token",
    "RequestTimeTooSkewed": "this machine's clock is too far off the service's",
}
# What boto3, botocore and s3transfer raise (OSError: the local file, or the network).
_FAILURES = (BotoCoreError, ClientError, Boto3Error, OSError,
             s3transfer.exceptions.RetriesExceededError, s3transfer.exceptions.S3UploadFailedError)
_UNAVAILABLE = {"SlowDown", "503", "ServiceUnavailable", "InternalError"}
_CORRUPT = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "InvalidChecksum"}


class S3Store:
    """Objects under ``prefix`` in one bucket; keys are relative to the prefix.

    Options (the crawler passes them from its settings):

    - ``retry_mode`` / ``max_attempts``: botocore retries with backoff
      (``MORGUE_S3_RETRY_MODE``, ``MORGUE_S3_MAX_ATTEMPTS``);
    - ``multipart_threshold`` / ``multipart_chunksize`` / ``max_concurrency``:
      files from the threshold up go as multipart uploads streamed from disk;
    - ``checksum_algorithm``: the checksum S3 computes and checks on its side;
    - ``content_md5``: also send ``Content-MD5`` with every upload request,
      the one checksum every S3-compatible service verifies (rclone, for one,
      stores but does not check the ``x-amz-checksum-*`` headers);
    - ``connect_timeout`` / ``read_timeout``: seconds, per request.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        retry_mode: str = "standard",
        max_attempts: int = 5,
        multipart_threshold: int = 64 * MB,
        multipart_chunksize: int = 16 * MB,
        max_concurrency: int = 4,
        checksum_algorithm: str = "SHA256",
        content_md5: bool = True,
        connect_timeout: float = 10,
        read_timeout: float = 60,
    ):
        if retry_mode not in RETRY_MODES:
            raise ValueError(
                f"invalid S3 retry mode {retry_mode!r} (MORGUE_S3_RETRY_MODE): "
                "use 'standard' or 'adaptive'"
            )
        if int(max_attempts) < 1:
            raise ValueError(f"MORGUE_S3_MAX_ATTEMPTS must be at least 1, not {max_attempts!r}")
        checksum_algorithm = checksum_algorithm.upper()
        if checksum_algorithm not in CHECKSUM_ALGORITHMS:
            raise ValueError(
                f"invalid S3 checksum algorithm {checksum_algorithm!r}: "
                f"use one of {', '.join(CHECKSUM_ALGORITHMS)}"
            )
        if multipart_chunksize < 5 * MB:
            raise ValueError("S3 multipart parts must be at least 5 MB")
        self.bucket = _check_bucket(bucket)
        self.prefix = prefix.strip("/")
        if self.prefix:
            try:
                check_key(self.prefix)
            except StoreError:
                raise StoreError(f"invalid store s3://{bucket}/{prefix}: bad prefix") from None
        self.uri = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        self.checksum_algorithm = checksum_algorithm
        self.content_md5 = content_md5
        self.transfer_config = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=max_concurrency,
            # The classic manager honours the client's event hooks below.
            preferred_transfer_client="classic",
        )
        self._client_config = Config(
            retries={"mode": retry_mode, "max_attempts": int(max_attempts)},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            # A ranged GET carries the whole object's checksum: only
            # validate when the operation requires it.
            response_checksum_validation="when_required",
        )
        # A missing AWS_PROFILE is an error now; the clients themselves are made on first use.
        self._session = self._make_session()
        # check() runs before a crawl: it must fail fast on an unreachable endpoint.
        self._check_config = Config(
            retries={"mode": "standard", "max_attempts": 2},
            connect_timeout=min(connect_timeout, 3),
            read_timeout=min(read_timeout, 10),
            response_checksum_validation="when_required",
        )

    # Clients are made on first use: several components open the store only to learn its spool.
    @cached_property
    def _client(self) -> Any:
        return self._make_client(self._client_config)

    @cached_property
    def _check_client(self) -> Any:
        return self._make_client(self._check_config)

    @classmethod
    def from_uri(cls, uri: str, **options: Any) -> S3Store:
        """Open ``s3://bucket/prefix``; credentials never belong in the URI."""
        parts = urlsplit(uri)
        if parts.scheme.lower() != "s3":
            raise StoreError("invalid S3 store URI: it must start with s3://")
        if "@" in parts.netloc:
            # Do not echo the URI: what precedes "@" may be a secret.
            raise StoreError(
                "invalid S3 store URI: credentials do not belong in it; "
                "use AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or another AWS credential source"
            )
        if parts.query or parts.fragment:
            raise StoreError(f"invalid store {uri!r}: s3://BUCKET/PREFIX takes no query or fragment")
        if not parts.netloc:
            raise StoreError(f"invalid store {uri!r}: no bucket name (use s3://BUCKET/PREFIX)")
        return cls(parts.netloc, parts.path, **options)

    def _make_session(self) -> Any:
        try:
            return boto3.session.Session()
        except ProfileNotFound as e:
            raise StoreError(f"store {self.uri}: {e}") from None

    def _make_client(self, config: Config) -> Any:
        try:
            client = self._session.client("s3", config=config)
        except ProfileNotFound as e:
            raise StoreError(f"store {self.uri}: {e}") from None
        except BotoCoreError as e:
            raise StoreError(f"store {self.uri}: cannot set up the S3 client: {e}") from None
        events = client.meta.events
        # upload_file does not pass IfNoneMatch on (s3transfer allows no such
        # argument), so every write this client makes is made conditional here.
        events.register("before-parameter-build.s3.PutObject", _if_none_match)
        events.register("before-parameter-build.s3.CompleteMultipartUpload", _if_none_match)
        if self.content_md5:
            events.register("before-call.s3.PutObject", _add_content_md5)
            events.register("before-call.s3.UploadPart", _add_content_md5)
        return client

    @property
    def endpoint(self) -> str:
        """The endpoint in use, without any user information in it."""
        parts = urlsplit(self._client.meta.endpoint_url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, "", "", ""))

    def _key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _error(self, e: Exception, action: str = "") -> StoreError:
        what = f"{action}: " if action else ""
        return StoreError(f"store {self.uri}: {what}{_describe(e, self.endpoint)}")

    # -- the Store protocol

    def check(self) -> None:
        """Write and delete a tiny probe object: proves bucket, credentials and write access."""
        client = self._check_client
        probe = self._key(f".morgue-write-check-{uuid.uuid4().hex}")
        try:
            client.put_object(Bucket=self.bucket, Key=probe, Body=b"")
        except _FAILURES as e:
            raise self._error(e) from None
        try:
            client.delete_object(Bucket=self.bucket, Key=probe)
        except _FAILURES as e:
            # An archive bucket may well forbid deletes; writing is what counts.
            logger.warning("Store %s: cannot delete the write probe %s: %s", self.uri, probe,
                           _describe(e, self.endpoint))

    def default_spool(self) -> Path:
        """One folder per store under the user's cache, never the working directory."""
        cache = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
        digest = hashlib.sha256(self.uri.encode()).hexdigest()[:16]
        return base / "morgue" / "spool" / digest

    def put_file(self, path: Path, key: str, sha256: str) -> None:
        """Upload ``path`` to ``key`` unless it exists, then check size and SHA-256 by HEAD."""
        full = self._key(key)
        try:
            size = Path(path).stat().st_size
        except OSError as e:
            raise StoreError(f"store {self.uri}: cannot read {path}: {e.strerror or e}") from e
        if self._head(full, f"cannot check {key}") is not None:
            raise StoreError(f"store {self.uri}: {key} exists already; not overwriting")
        extra = {"ChecksumAlgorithm": self.checksum_algorithm, "Metadata": {"sha256": sha256}}
        try:
            self._client.upload_file(
                str(path), self.bucket, full, ExtraArgs=extra, Config=self.transfer_config
            )
        except _FAILURES as e:
            if _error_code(e) not in ("PreconditionFailed", "412"):
                raise self._error(e, f"cannot upload {key}") from None
            # Written meanwhile: by an earlier attempt of this very request,
            # or by someone else. Only the former is fine.
            head = self._head(full, f"cannot check {key}")
            if head is None or _mismatch(head, size, sha256):
                raise StoreError(f"store {self.uri}: {key} exists already; not overwriting") from None
        head = self._head(full, f"cannot verify {key}")
        problem = "missing after upload" if head is None else _mismatch(head, size, sha256)
        if problem:
            self._discard(full)
            raise StoreError(f"store {self.uri}: {key} failed verification after upload: {problem}")
        logger.debug("Stored %s in %s (%d bytes)", key, self.uri, size)

    def exists(self, key: str) -> bool:
        return self._head(self._key(key), f"cannot check {key}") is not None

    def list(self, prefix: str = "") -> Iterator[str]:
        root = f"{self.prefix}/" if self.prefix else ""
        keys = []
        try:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=root + prefix
            )
            for page in pages:
                keys.extend(obj["Key"][len(root):] for obj in page.get("Contents", ()))
        except _FAILURES as e:
            raise self._error(e, "cannot list") from None
        # Names starting with "." are never ours (write probes), as in LocalStore;
        # services differ in listing order (rclone walks folders): sort.
        yield from sorted(k for k in keys if not k.rpartition("/")[2].startswith("."))

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        if length == 0:
            return b""
        try:
            response = self._client.get_object(
                Bucket=self.bucket, Key=self._key(key), Range=f"bytes={offset}-{offset + length - 1}"
            )
            with response["Body"] as body:
                return body.read()
        except _FAILURES as e:
            code = _error_code(e)
            if code in ("InvalidRange", "416"):
                return b""  # past the end, as a file read would be
            if code in _NOT_FOUND:
                raise FileNotFoundError(f"store {self.uri}: no object {key}") from None
            raise self._error(e, f"cannot read {key}") from None

    def open(self, key: str) -> BinaryIO:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except _FAILURES as e:
            if _error_code(e) in _NOT_FOUND:
                raise FileNotFoundError(f"store {self.uri}: no object {key}") from None
            raise self._error(e, f"cannot read {key}") from None
        return response["Body"]  # botocore's StreamingBody: a read-only io.IOBase

    # -- helpers

    def _head(self, full_key: str, action: str) -> dict[str, Any] | None:
        try:
            return self._client.head_object(
                Bucket=self.bucket, Key=full_key, ChecksumMode="ENABLED"
            )
        except _FAILURES as e:
            if _error_code(e) in _NOT_FOUND:
                return None
            raise self._error(e, action) from None

    def _discard(self, full_key: str) -> None:
        """Remove an object that failed verification, so that a retry can write it."""
        try:
            self._client.delete_object(Bucket=self.bucket, Key=full_key)
        except _FAILURES as e:
            logger.warning("Store %s: cannot remove unverified %s: %s", self.uri, full_key,
                           _describe(e, self.endpoint))


def _check_bucket(bucket: str) -> str:
    if not _BUCKET_RE.match(bucket) or ".." in bucket:
        raise StoreError(
            f"invalid store s3://{bucket}: bad bucket name "
            "(3-63 lowercase letters, digits, dots and hyphens)"
        )
    return bucket


def _mismatch(head: dict[str, Any], size: int, sha256: str) -> str:
    """Why the object HEAD describes is not the file, or "" if it is."""
    if head.get("ContentLength") != size:
        return f"size {head.get('ContentLength')} instead of {size}"
    # Services differ in the case of metadata names (rclone: "Sha256").
    meta = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
    if meta.get("sha256", "").lower() != sha256.lower():
        return "SHA-256 metadata does not match the file"
    stored = head.get("ChecksumSHA256", "")
    if stored and "-" not in stored:  # a whole-object checksum, not a multipart composite
        try:
            if base64.b64decode(stored).hex() != sha256.lower():
                return "the service's SHA-256 does not match the file"
        except (binascii.Error, ValueError):
            pass
    return ""


def _if_none_match(params: dict[str, Any], **kwargs: Any) -> None:
    params.setdefault("IfNoneMatch", "*")


def _add_content_md5(params: dict[str, Any], **kwargs: Any) -> None:
    """Add Content-MD5 for the request body, so that the service refuses a corrupted one."""
    if "Content-MD5" not in params["headers"]:
        digest = _body_md5(params.get("body"))
        if digest is not None:
            params["headers"]["Content-MD5"] = base64.b64encode(digest).decode("ascii")


def _body_md5(body: Any) -> bytes | None:
    """MD5 of a request body, read once and rewound; None for a one-pass stream."""
    md5 = hashlib.md5(usedforsecurity=False)
    if isinstance(body, (bytes, bytearray)):
        md5.update(body)
    elif hasattr(body, "seek") and hasattr(body, "tell"):
        start = body.tell()
        while chunk := body.read(MB):
            md5.update(chunk)
        body.seek(start)
    else:
        return None
    return md5.digest()


def _error_code(e: BaseException) -> str:
    """The S3 error code of ``e`` or of the ClientError it wraps, else ""."""
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, ClientError):
            return str(seen.response.get("Error", {}).get("Code", ""))
        seen = seen.__cause__ or seen.__context__
    return ""


def _describe(e: BaseException, endpoint: str) -> str:
    """One line saying what went wrong, with no credential and no traceback."""
    cause: BaseException | None = e
    while cause is not None and not isinstance(cause, (ClientError, BotoCoreError)):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return _one_line(str(e) or type(e).__name__)
    if isinstance(cause, ClientError):
        error = cause.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket":
            return "bucket does not exist"
        if code in _AUTH_ERRORS:
            return _AUTH_ERRORS[code]
        if code in _UNAVAILABLE or (status or 0) >= HTTPStatus.INTERNAL_SERVER_ERROR:
            return f"service unavailable ({code or status}), retries exhausted"
        if code in _CORRUPT:
            return f"the service refused the data as corrupted in transit ({code})"
        message = error.get("Message") or ""
        if not message or message == code:
            return f"error {code or status}"
        return _one_line(f"{code or status}: {message}")
    if isinstance(cause, (NoCredentialsError, PartialCredentialsError)):
        return (
            "no usable AWS credentials (set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
            "or another AWS credential source)"
        )
    if isinstance(cause, ConnectTimeoutError):
        return f"cannot reach endpoint {endpoint} (connection timed out)"
    if isinstance(cause, ReadTimeoutError):
        return f"endpoint {endpoint} did not answer in time"
    if isinstance(cause, EndpointConnectionError):
        return f"cannot reach endpoint {endpoint} ({_os_reason(cause)})"
    return _one_line(str(cause))


def _os_reason(e: BaseException) -> str:
    """The operating system's words for a connection failure ("Connection refused")."""
    todo: list[BaseException] = [e]
    seen = set()
    while todo:
        exc = todo.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.strerror:
            return exc.strerror
        inner = getattr(exc, "kwargs", {}).get("error") if hasattr(exc, "kwargs") else None
        for nxt in (exc.__cause__, exc.__context__, inner, getattr(exc, "reason", None)):
            if isinstance(nxt, BaseException):
                todo.append(nxt)
    return "connection failed"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
