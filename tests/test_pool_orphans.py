"""A crawler killed outright (``kill -9``) leaves no process behind: workers, forkserver, tracker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import FAST, ROOT


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], int(fields[1])


def descendants(root: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[1]
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def test_a_killed_crawler_leaves_no_process_behind(site, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MORGUE_STORE", None)
    crawler = subprocess.Popen(
        [sys.executable, "-m", "morgue", "crawl", site.url, "--store", str(tmp_path / "store"), *FAST,
         "-s", "DOWNLOAD_DELAY=1", "-s", "CONCURRENT_REQUESTS=1"],  # slow: the crawl is still on when killed
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        family: set[int] = set()
        while time.monotonic() < deadline:
            family = descendants(crawler.pid)
            grandchildren = [pid for pid in family if (_stat(pid) or ("", 0))[1] != crawler.pid]
            if grandchildren:  # a worker, forked by the forkserver, is up
                break
            time.sleep(0.1)
        assert grandchildren, "no extraction worker started"
        assert crawler.poll() is None, "the crawl ended before it could be killed"
        family = descendants(crawler.pid)
    finally:
        crawler.send_signal(signal.SIGKILL)
        crawler.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(pid) for pid in family):
        time.sleep(0.1)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:100]
            for pid in family if alive(pid)}
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running 5 s after the crawler was killed: {left}"


CRAWLER = """
import asyncio, re, sys
from morgue.extraction.pool import ExtractionPool

def stuck(text):
    # catastrophic backtracking: the regex engine holds the GIL for as long as it runs
    return re.match(r"(a+)+$", text) is not None

async def main():
    pool = ExtractionPool(1, timeout=600, function=stuck)
    await pool.start()
    print("started", flush=True)
    await pool.run("a" * 64 + "b")

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_a_worker_stuck_in_c_code_ends_with_its_crawler(tmp_path):
    script = tmp_path / "crawler.py"
    script.write_text(CRAWLER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    crawler = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert crawler.stdout is not None and crawler.stdout.readline().strip() == "started"
        time.sleep(0.5)  # the worker is deep in the regular expression
        family = descendants(crawler.pid)
        assert len(family) >= 2  # the forkserver and the worker, at least
    finally:
        crawler.send_signal(signal.SIGKILL)
        crawler.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(pid) for pid in family):
        time.sleep(0.1)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:100]
            for pid in family if alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running 5 s after the crawler was killed: {left}"
