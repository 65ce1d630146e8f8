"""Archive back-ends, chosen by the store URI's scheme.

``MORGUE_STORES`` (scheme -> class path, as Scrapy's ``FEED_STORAGES``) adds
back-ends or replaces these; a scheme mapped to None is refused. A back-end
class is loaded only when its scheme is used, so a local store never loads boto3.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Mapping
from urllib.parse import urlsplit

from morgue.store.base import Store, StoreError, check_key, file_sha256

__all__ = ["STORES", "Store", "StoreError", "check_key", "file_sha256", "open_store", "store_from_settings"]

#: scheme -> class path ("" is a plain folder path); ``MORGUE_STORES`` is merged over it
STORES: dict[str, str | None] = {
    "": "morgue.store.local.LocalStore",
    "file": "morgue.store.local.LocalStore",
    "s3": "morgue.store.s3.S3Store",
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
    stores = {**STORES, **{str(k).lower(): v for k, v in settings.getdict("MORGUE_STORES").items()}}
    return open_store(uri, stores=stores, **options)


def open_store(uri: str, stores: Mapping[str, str | type | None] | None = None, **options) -> Store:
    """Open the store named by ``uri``: a folder path, ``file://…`` or ``s3://bucket/prefix``.

    ``stores`` maps schemes to back-end classes or their paths (default ``STORES``).
    """
    stores = STORES if stores is None else stores
    if not uri or not str(uri).strip():
        raise StoreError("empty store URI: give a folder or s3://bucket/prefix")
    uri = str(uri).strip()
    scheme = urlsplit(uri).scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter, not a scheme
        scheme = ""
    if not stores.get(scheme):
        raise StoreError(
            f"unsupported store {uri!r}: use a folder path, file://PATH or s3://BUCKET/PREFIX"
        )
    # the standard library's loader of dotted paths (Scrapy's load_object would import all of Scrapy
    # into every reader of a store: export and search too, 33 MB)
    backend = stores[scheme]
    if isinstance(backend, str):
        backend = pkgutil.resolve_name(backend)
    return backend.from_uri(uri, **options)
