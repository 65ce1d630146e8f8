"""The spool and the uploader against the local store: nothing leaves the spool unverified."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest

from morgue.store import StoreError, file_sha256, open_store
from morgue.store.names import archive_name, key_for
from morgue.store.spool import Spool
from morgue.store.upload import Uploader, upload_one
from morgue.text.writer import RotatingTextWriter


def test_keys_come_from_our_names_only():
    name = archive_name("MORGUE", "warc.gz")
    assert key_for(name).startswith("warc/") and key_for(name).endswith(name)
    assert key_for(archive_name("X", "jsonl.gz")).startswith("text/")
    for bad in ("../../etc/passwd", "a/b.warc.gz", "page.html"):
        with pytest.raises(ValueError):
            key_for(bad)


def test_local_store_never_overwrites_and_reads_ranges(tmp_path):
    store = open_store(str(tmp_path / "store"))
    store.check()
    src = tmp_path / "f.bin"
    src.write_bytes(b"0123456789")
    store.put_file(src, "warc/2026/01/01/f.bin", file_sha256(src))
    assert store.read_range("warc/2026/01/01/f.bin", 3, 4) == b"3456"
    assert list(store.list("warc/")) == ["warc/2026/01/01/f.bin"]
    with pytest.raises(StoreError, match="exists already"):
        store.put_file(src, "warc/2026/01/01/f.bin", file_sha256(src))
    with pytest.raises(StoreError, match="invalid store key"):
        store.put_file(src, "../escape", file_sha256(src))


def test_uploader_moves_finished_files_and_keeps_them_while_the_store_is_away(tmp_path):
    spool = Spool(tmp_path / "spool")
    writer = RotatingTextWriter(spool.create)
    writer.write({"n": 1})
    writer.finish()
    store_root = tmp_path / "store"
    store_root.write_text("a file where the store's folder should be")  # the store is unusable
    store = open_store(str(store_root))
    uploader = Uploader(store, spool, retry_delay=0.05, max_retry_delay=0.1)
    left = uploader.close(timeout=0.5)
    assert len(left) == 1 and left[0].exists()
    assert uploader.last_error and str(store_root) in uploader.last_error
    store_root.unlink()  # the store comes back
    uploader = Uploader(store, spool)
    assert uploader.close(timeout=10) == []
    (key,) = uploader.uploaded
    with gzip.open(store_root / key, "rt") as f:
        assert f.read() == '{"n":1}\n'


def test_a_killed_writer_leaves_a_file_the_next_run_repairs(tmp_path):
    spool_dir = tmp_path / "spool"
    code = f"""
import os
from morgue.store.spool import Spool
from morgue.text.writer import RotatingTextWriter, gzip_member
w = RotatingTextWriter(Spool({str(spool_dir)!r}).create)
for i in range(50):
    w.write({{"n": i}})
w.file.current.write(gzip_member(b'{{"n": "torn"}}\\n')[:15])  # a record cut short
w.file.current.flush()
os.kill(os.getpid(), 9)
"""
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == -9
    spool = Spool(spool_dir)
    assert len(list(spool.open_dir.iterdir())) == 1
    (recovered,) = spool.recover()
    with gzip.open(recovered, "rt") as f:
        lines = f.read().splitlines()
    assert len(lines) == 50 and lines[-1] == '{"n":49}'
    store = open_store(str(tmp_path / "store"))
    key = upload_one(store, recovered)
    assert key and store.exists(key) and not recovered.exists()


def test_recover_leaves_files_of_live_writers_alone(tmp_path):
    spool = Spool(tmp_path / "spool")
    writer = RotatingTextWriter(spool.create)
    writer.write({"n": 1})
    assert spool.recover() == []
    assert writer.finish().exists()
