"""The upload thread: never spins, never dies on one file, never writes Scrapy's stats itself."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from morgue import meta
from morgue.store import StoreError, open_store
from morgue.store.spool import Spool
from morgue.store.upload import Uploader
from morgue.text.writer import RotatingTextWriter
from tests.conftest import FAST, ROOT, morgue
from tests.test_store_spool import lock_in_another_process

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def finished_files(spool: Spool, n: int) -> list[Path]:
    writer = RotatingTextWriter(spool.create, max_size=1)  # one record per file
    names = [writer.write({"n": i}).filename for i in range(n)]
    writer.finish()
    return [spool.ready_dir / name for name in names]


def thread_cpu_seconds(thread: threading.Thread) -> float:
    """User plus system CPU time of one thread of this process, from /proc."""
    fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_stray_file_in_ready_is_moved_aside_and_the_others_are_uploaded(tmp_path, caplog):
    spool = Spool(tmp_path / "spool")
    files = finished_files(spool, 2)
    for stray in ("0-notes.txt", "zz.warc.gz"):  # one sorts before morgue's names, one after
        (spool.ready_dir / stray).write_bytes(b"not ours")
    store = open_store(str(tmp_path / "store"))
    uploader = Uploader(store, spool, retry_delay=0.05)
    with caplog.at_level(logging.WARNING):
        assert uploader.close(timeout=10) == []
    assert len(uploader.uploaded) == 2 and all(store.exists(key) for key in uploader.uploaded)
    assert not any(f.exists() for f in files)
    assert sorted(p.name for p in (spool.root / "rejected").iterdir()) == ["0-notes.txt", "zz.warc.gz"]
    warnings = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(warnings) == 2 and "0-notes.txt" in warnings[0]


def test_a_stray_file_does_not_stop_morgue_flush(tmp_path):
    spool = Spool(tmp_path / "spool")
    finished_files(spool, 1)
    (spool.ready_dir / "notes.txt").write_bytes(b"not ours")
    run = morgue("flush", "--store", str(tmp_path / "store"), "--spool", str(spool.root))
    assert run.code == 0, run.stderr
    assert "notes.txt" in run.stderr and "rejected" in run.stderr and "Traceback" not in run.stderr
    assert len(list((tmp_path / "store").glob("text/*/*/*/*.jsonl.gz"))) == 1


class OneBadFileStore:
    """A real local store, except that one file makes it raise what no store should (a bug's stand-in)."""

    def __init__(self, store, bad_name: str):
        self.store, self.bad_name = store, bad_name
        self.uri = store.uri

    def put_file(self, path, key, sha256):
        if path.name == self.bad_name:
            raise RuntimeError("unexpected trouble")
        return self.store.put_file(path, key, sha256)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_a_file_that_fails_on_its_own_is_logged_once_and_the_others_go_on(tmp_path, caplog):
    spool = Spool(tmp_path / "spool")
    bad, good = finished_files(spool, 2)
    store = OneBadFileStore(open_store(str(tmp_path / "store")), bad.name)
    uploader = Uploader(store, spool, retry_delay=0.05)
    with caplog.at_level(logging.ERROR):
        uploader.start()
        time.sleep(0.5)  # several passes of the loop
        left = uploader.close(timeout=1)
    assert left == [bad] and not good.exists() and len(uploader.uploaded) == 1
    errors = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Cannot upload")]
    assert errors == [f"Cannot upload {bad.name} from spool {spool.root}; leaving it there: unexpected trouble"]
    assert uploader.counts() == {meta.UPLOAD_FAILED: 1, meta.FILES_UPLOADED: 1,
                                 meta.BYTES_UPLOADED: good_size(uploader)}
    assert "1 files" in caplog.records[-1].getMessage()  # the end still says what waits
    assert uploader._thread is not None and not uploader._thread.is_alive()


class RefusesOneFile(OneBadFileStore):
    """A real local store that refuses one file, as a store may refuse an object it finds corrupt."""

    attempts = 0

    def put_file(self, path, key, sha256):
        if path.name == self.bad_name:
            self.attempts += 1
            raise StoreError(f"store {self.uri}: {key} failed verification after upload")
        return self.store.put_file(path, key, sha256)


def test_a_file_the_store_refuses_backs_off_alone_and_holds_no_other_file_up(tmp_path):
    spool = Spool(tmp_path / "spool")
    bad, *good = finished_files(spool, 4)  # the refused file comes first in name order
    store = RefusesOneFile(open_store(str(tmp_path / "store")), bad.name)
    uploader = Uploader(store, spool, retry_delay=0.1, max_retry_delay=0.4)
    uploader.start()
    time.sleep(0.3)
    more = finished_files(spool, 2)  # files finished later go too
    time.sleep(1.2)
    assert not any(p.exists() for p in good + more)
    assert 3 <= store.attempts <= 8  # 0.1, 0.2, 0.4, 0.4 ... seconds apart: retried, not hammered
    assert uploader.close(timeout=0.5) == [bad]
    assert "failed verification" in (uploader.last_error or "")


def good_size(uploader: Uploader) -> int:
    (key,) = uploader.uploaded
    return (uploader.store.store.root / key).stat().st_size


class SpoolThatBreaks(Spool):
    """A real spool whose listing fails after the first pass: a bug's stand-in, which no real fault gives."""

    calls = 0

    def ready(self):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("listing went wrong")
        return super().ready()


def test_the_upload_thread_never_dies_silently(tmp_path, caplog):
    spool = SpoolThatBreaks(tmp_path / "spool")
    finished_files(spool, 1)
    uploader = Uploader(open_store(str(tmp_path / "store")), spool, retry_delay=0.05)
    with caplog.at_level(logging.ERROR):
        uploader.start()
        assert uploader._thread is not None
        uploader._thread.join(5)
    assert not uploader._thread.is_alive() and len(uploader.uploaded) == 1
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == f"The upload thread stopped; files wait in spool {spool.root}"
    assert "listing went wrong" in record.exc_text or "listing went wrong" in str(record.exc_info)
    assert "unexpected error" in (uploader.last_error or "")


def test_the_uploader_waits_without_spinning_while_another_process_holds_a_file(tmp_path):
    spool = Spool(tmp_path / "spool")
    (path,) = finished_files(spool, 1)
    holder = lock_in_another_process(path)
    try:
        uploader = Uploader(open_store(str(tmp_path / "store")), spool, retry_delay=0.2)
        uploader.start()
        time.sleep(0.2)
        assert uploader._thread is not None
        before = thread_cpu_seconds(uploader._thread)
        time.sleep(1.0)
        spent = thread_cpu_seconds(uploader._thread) - before
        assert spent < 0.2, f"the upload thread used {spent:.2f} CPU seconds in 1 s"
        assert path.exists() and uploader.uploaded == []
    finally:
        holder.communicate("")  # the other process lets go
    assert uploader.close(timeout=10) == []
    assert len(uploader.uploaded) == 1 and not path.exists()


def test_two_processes_sharing_a_spool_upload_every_file_once(tmp_path):
    spool = Spool(tmp_path / "spool")
    files = finished_files(spool, 150)
    store = tmp_path / "store"
    code = f"""
import logging, sys
from morgue.store import StoreError, open_store
from morgue.store.spool import Spool
from morgue.store.upload import Uploader
logging.basicConfig(level=logging.WARNING)
u = Uploader(open_store({str(store)!r}), Spool({str(spool.root)!r}), retry_delay=0.05)
sys.stdin.read()
left = u.close(timeout=20)
print(len(u.uploaded), len(left), u.counts().get("store/upload_failed", 0))
"""
    procs = [subprocess.Popen([sys.executable, "-c", code], env=ENV, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate("", timeout=60) for p in procs]  # both start at once
    counts = [tuple(map(int, out.split())) for out, _ in outs]
    assert sum(c[0] for c in counts) == 150, outs
    assert all(c[1:] == (0, 0) for c in counts), outs
    assert not any(err.strip() for _, err in outs), outs
    assert not any(f.exists() for f in files)
    assert len(list(store.glob("text/*/*/*/*.jsonl.gz"))) == 150


RECORDING_STATS = """
import threading
from scrapy.statscollectors import MemoryStatsCollector

class ReactorOnlyStats(MemoryStatsCollector):
    '''Counts writes made from any thread but the one the crawl runs in.'''

    def _check(self, key):
        if threading.current_thread() is not threading.main_thread() and not key.startswith("test/"):
            self.inc_value("test/off_thread_writes")

    def set_value(self, key, value, spider=None):
        self._check(key)
        super().set_value(key, value)

    def inc_value(self, key, count=1, start=0, spider=None):
        self._check(key)
        super().inc_value(key, count, start)

    def _persist_stats(self, stats, spider=None):
        import json, os
        with open(os.environ["STATS_OUT"], "w") as f:
            json.dump({k: v for k, v in stats.items() if isinstance(v, (int, str))}, f)
"""


def test_the_upload_thread_never_writes_the_crawl_stats(site, tmp_path):
    (tmp_path / "stats_probe.py").write_text(RECORDING_STATS)
    out = tmp_path / "stats.json"
    env = {"STATS_OUT": str(out), "PYTHONPATH": os.pathsep.join((str(ROOT), str(tmp_path)))}
    run = morgue("crawl", site.url, "--store", str(tmp_path / "store"), *FAST, "--max-pages", "3",
                 "-s", "STATS_CLASS=stats_probe.ReactorOnlyStats", env=env)
    assert run.code == 0, run.stderr
    stats = json.loads(out.read_text())
    assert stats.get("test/off_thread_writes", 0) == 0
    uploaded = sum(len(list((tmp_path / "store").glob(f"{kind}/*/*/*/*.gz"))) for kind in ("warc", "text"))
    assert stats[meta.FILES_UPLOADED] == uploaded >= 2
    assert stats[meta.FILES_PENDING] == 0


class LastFileAtTheEnd(Spool):
    """A real spool whose listing is overtaken by the crawl's end: the last file is finished and
    ``close()`` is called while the upload thread holds a listing made just before."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.uploader: Uploader | None = None
        self.closer: threading.Thread | None = None
        self.left: list[Path] | None = None

    def ready(self) -> list[Path]:
        files = super().ready()
        if self.uploader is not None and self.closer is None and threading.current_thread().name == "morgue-upload":
            finished_files(self, 1)

            def close() -> None:
                self.left = self.uploader.close(timeout=10)

            self.closer = threading.Thread(target=close)
            self.closer.start()
            time.sleep(0.3)  # close() has said "stop" by now
        return files


def test_the_file_finished_as_the_crawl_ends_is_uploaded(tmp_path):
    spool = LastFileAtTheEnd(tmp_path / "spool")
    store = open_store(str(tmp_path / "store"))
    uploader = Uploader(store, spool, retry_delay=0.05)
    spool.uploader = uploader
    uploader.start()
    for _ in range(100):
        if spool.closer is not None:
            break
        time.sleep(0.05)
    assert spool.closer is not None
    spool.closer.join(20)
    assert spool.left == []
    assert len(uploader.uploaded) == 1 and store.exists(uploader.uploaded[0])
