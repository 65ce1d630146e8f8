"""A store or spool that cannot be used is one line naming it, exit 2, and nothing fetched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from scrapy.settings import Settings

from morgue.store import StoreError, store_from_settings
from morgue.store.local import LocalStore
from tests.conftest import crawl


@pytest.fixture
def unwritable(tmp_path):
    """A folder nobody can write into, root included (immutable where chattr works, else read-only)."""
    folder = tmp_path / "immut"
    folder.mkdir()
    immutable = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    if not immutable:
        folder.chmod(0o555)
        if os.access(folder, os.W_OK):
            pytest.skip("no way to make a folder unwritable here")
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def test_a_store_that_is_a_file(site, tmp_path):
    store = tmp_path / "archive"
    store.write_text("not a folder")
    run = crawl(site.url, store)
    assert run.code == 2
    assert run.last_line == f"morgue: error: store {store} is a file, not a folder"
    run = crawl(site.url, store / "sub")
    assert run.last_line == f"morgue: error: store {store / 'sub'} is not writable: {store} is a file, not a folder"
    assert site.requested_paths() == []


def test_a_spool_that_cannot_be_written(site, tmp_path, unwritable):
    run = crawl(site.url, tmp_path / "archive", "--spool", str(unwritable / "spool"))
    assert run.code == 2
    assert run.last_line.startswith(f"morgue: error: cannot write to spool {unwritable / 'spool'}: ")
    assert "Traceback" not in run.stderr
    assert site.requested_paths() == []


def test_back_ends_come_from_the_morgue_stores_setting(tmp_path):
    settings = Settings({"MORGUE_STORE": f"mine://{tmp_path}", "MORGUE_STORES": {"mine": f"{__name__}.MyStore"}})
    store = store_from_settings(settings)
    assert isinstance(store, MyStore) and store.root == Path(tmp_path)
    settings = Settings({"MORGUE_STORE": "s3://bucket/prefix", "MORGUE_STORES": {"s3": None}})
    with pytest.raises(StoreError, match="unsupported store 's3://bucket/prefix'"):
        store_from_settings(settings)
    # the defaults stay when the setting adds a scheme
    assert isinstance(store_from_settings(Settings({"MORGUE_STORE": str(tmp_path),
                                                    "MORGUE_STORES": {"mine": "x.Y"}})), LocalStore)


class MyStore(LocalStore):
    @classmethod
    def from_uri(cls, uri: str) -> MyStore:
        return cls(Path(uri.removeprefix("mine://")))
