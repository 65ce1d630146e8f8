"""A write that fails half-way (full disk, I/O error) leaves no torn record in the middle of a file."""

from __future__ import annotations

import errno
import gzip
import json

import pytest

from morgue.store.repair import complete_members_end
from morgue.store.spool import Spool
from morgue.text.writer import RotatingTextWriter


class FailsHalfWay:
    """The spool file's own file object, except that one write stores half its bytes and fails."""

    def __init__(self, real):
        self.real = real
        self.armed = False

    def write(self, data):
        if self.armed:
            self.armed = False
            self.real.write(bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_record_that_failed_half_way_is_cut_off_and_later_records_follow_it(tmp_path):
    spool = Spool(tmp_path / "spool")
    writer = RotatingTextWriter(spool.create)
    writer.write({"n": 1, "text": "first"})
    faulty = FailsHalfWay(writer.file.current.file)
    writer.file.current.file = faulty
    faulty.armed = True
    with pytest.raises(OSError, match="No space left"):
        writer.write({"n": 2, "text": "x" * 5000})
    writer.write({"n": 3, "text": "third"})
    path = writer.finish()
    with open(path, "rb") as f:
        assert complete_members_end(f) == path.stat().st_size  # every member whole, none torn
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert [json.loads(line)["n"] for line in f] == [1, 3]


def test_a_file_that_cannot_be_cut_is_left_to_the_spool_repair(tmp_path):
    spool = Spool(tmp_path / "spool")
    writer = RotatingTextWriter(spool.create)
    writer.write({"n": 1})
    first = writer.file.current
    faulty = FailsHalfWay(first.file)
    first.file = faulty
    faulty.armed = True
    faulty.truncate = lambda offset: (_ for _ in ()).throw(OSError(errno.EIO, "Input/output error"))
    with pytest.raises(OSError, match="No space left"):
        writer.write({"n": 2, "text": "x" * 5000})
    writer.write({"n": 3})  # into a new file: nothing lands after the torn record
    assert writer.file.current is not first
    second = writer.finish()
    faulty.real.close()  # what the end of the process does: the lock is let go
    (recovered,) = spool.recover()
    for path, numbers in ((recovered, [1]), (second, [3])):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            assert [json.loads(line)["n"] for line in f] == numbers
