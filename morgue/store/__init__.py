"""Archive back-ends, chosen by the store URI's scheme."""

from __future__ import annotations

from urllib.parse import urlsplit

from morgue.store.base import Store, StoreError, check_key, file_sha256

__all__ = ["STORES", "Store", "StoreError", "check_key", "file_sha256", "open_store"]

#: scheme -> "module:Class"; imported on use so the local store never loads boto3
STORES = {
    "": "morgue.store.local:LocalStore",
    "file": "morgue.store.local:LocalStore",
    "s3": "morgue.store.s3:S3Store",
}


def open_store(uri: str) -> Store:
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
    return getattr(module, class_name).from_uri(uri)
