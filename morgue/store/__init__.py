"""Archive back-ends, chosen by the store URI's scheme."""

from __future__ import annotations

from urllib.parse import urlsplit

from morgue.store.base import Store, StoreError, check_key, file_sha256

__all__ = ["STORES", "Store", "StoreError", "check_key", "file_sha256", "open_store", "store_from_settings"]

#: scheme -> "module:Class"; imported on use so the local store never loads boto3
STORES = {
    "": "morgue.store.local:LocalStore",
    "file": "morgue.store.local:LocalStore",
    "s3": "morgue.store.s3:S3Store",
}


#: Scrapy setting -> S3Store keyword, with the setting's type
S3_SETTINGS = {
    "MORGUE_S3_RETRY_MODE": ("retry_mode", str),
    "MORGUE_S3_MAX_ATTEMPTS": ("max_attempts", int),
    "MORGUE_S3_MULTIPART_THRESHOLD": ("multipart_threshold", int),
    "MORGUE_S3_MULTIPART_CHUNKSIZE": ("multipart_chunksize", int),
    "MORGUE_S3_MAX_CONCURRENCY": ("max_concurrency", int),
    "MORGUE_S3_CHECKSUM_ALGORITHM": ("checksum_algorithm", str),
    "MORGUE_S3_CONTENT_MD5": ("content_md5", bool),
    "MORGUE_S3_CONNECT_TIMEOUT": ("connect_timeout", float),
    "MORGUE_S3_READ_TIMEOUT": ("read_timeout", float),
}


def store_from_settings(settings) -> Store:
    """The store ``MORGUE_STORE`` names, with the ``MORGUE_S3_*`` options that are set."""
    uri = settings.get("MORGUE_STORE")
    options = {}
    if urlsplit(str(uri or "")).scheme.lower() == "s3":
        for name, (keyword, kind) in S3_SETTINGS.items():
            if settings.get(name) in (None, ""):
                continue
            try:
                options[keyword] = settings.getbool(name) if kind is bool else kind(settings.get(name))
            except ValueError:
                raise ValueError(f"invalid {name} {settings.get(name)!r}: expected {kind.__name__}") from None
    return open_store(uri, **options)


def open_store(uri: str, **options) -> Store:
    """Open the store named by ``uri``: a folder path, ``file://…`` or ``s3://bucket/prefix``."""
    if not uri or not str(uri).strip():
        raise StoreError("empty store URI: give a folder or s3://bucket/prefix")
    uri = str(uri).strip()
    scheme = urlsplit(uri).scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter, not a scheme
        scheme = ""
    if scheme not in STORES:
        raise StoreError(
            f"unsupported store {uri!r}: use a folder path, file://PATH or s3://BUCKET/PREFIX"
        )
    module_name, _, class_name = STORES[scheme].partition(":")
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name).from_uri(uri, **options)
