"""One spool shared by several processes: a run repairing it never takes a live writer's file."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

from morgue.store.spool import STALE_NEW_SECONDS, Spool
from tests.conftest import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

HOLD_LOCK = """
import fcntl, sys
f = open(sys.argv[1], "rb")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def lock_in_another_process(path: Path) -> subprocess.Popen:
    """A process that holds ``path``'s lock until its standard input is closed."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder

WRITER = """
import sys, time
from morgue.store.spool import Spool
from morgue.text.writer import RotatingTextWriter
w = RotatingTextWriter(Spool(sys.argv[1]).create, max_size=1)  # a new file for every record
names, end = [], time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    names.append(w.write({"n": len(names)}).filename)
w.finish()
print("\\n".join(names))
"""

RECOVERER = """
import sys, time
from morgue.store.spool import Spool
spool, end, passes = Spool(sys.argv[1]), time.monotonic() + float(sys.argv[2]), 0
while time.monotonic() < end:
    spool.recover()
    passes += 1
print(passes)
"""


def test_a_run_starting_on_a_shared_spool_never_takes_a_file_being_created(tmp_path):
    root = tmp_path / "spool"
    Spool(root).prepare()
    seconds = "3"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(root), seconds], env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    recoverers = [subprocess.Popen([sys.executable, "-c", RECOVERER, str(root), seconds], env=ENV,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err.splitlines()[-1:]
    for recoverer in recoverers:
        passes, rerr = recoverer.communicate(timeout=60)
        assert recoverer.returncode == 0 and int(passes) > 100, rerr
    names = out.split()
    assert len(names) > 100
    spool = Spool(root)
    assert sorted(p.name for p in spool.ready()) == sorted(names)
    assert list(spool.open_dir.iterdir()) == []
    for i, name in enumerate(names):
        with gzip.open(spool.ready_dir / name, "rt") as f:
            assert f.read() == f'{{"n":{i}}}\n'


def test_hidden_files_of_writers_that_died_creating_them_are_removed(tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.prepare()
    old = time.time() - STALE_NEW_SECONDS - 5
    stale = spool.open_dir / ".MORGUE-20260101000000000-00000-1~h.warc.gz.new"
    young = spool.open_dir / ".MORGUE-20260101000000000-00001-1~h.warc.gz.new"
    held = spool.open_dir / ".MORGUE-20260101000000000-00002-1~h.warc.gz.new"
    for path in (stale, young, held):
        path.write_bytes(b"")
    os.utime(stale, (old, old))
    os.utime(held, (old, old))
    holder = lock_in_another_process(held)
    try:
        assert spool.recover() == []
    finally:
        holder.communicate("")
    assert not stale.exists()
    assert young.exists() and held.exists()
