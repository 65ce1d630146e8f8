"""One crawl at a time per store and site: a second exits at once with code 5; a dead holder's lock is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from morgue.testsite.revisions import RevisionSite
from tests.conftest import FAST, ROOT, crawl, text_records


def start(site: RevisionSite, store: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MORGUE_STORE", None)
    return subprocess.Popen([sys.executable, "-m", "morgue", "crawl", site.url, "--store", str(store), *FAST, *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lock_file(store: Path, site: RevisionSite) -> Path:
    port = site.url.rstrip("/").rsplit(":", 1)[1]
    return store / "locks" / f"127.0.0.1_{port}.lock"


def test_two_runs_started_together_one_exits_with_the_lock_code(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=10) as site:
        slow = ("-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        runs = [start(site, store, *slow), start(site, store, *slow)]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 5], results
    locked = next(err for code, err in results if code == 5)
    last = [line for line in locked.splitlines() if line.strip()][-1]
    assert last.startswith("morgue: error: another crawl of 127.0.0.1_") and "is running" in last, last
    assert "pages fetched" not in locked  # it stopped at once
    assert len(text_records(store)) == 10
    assert not lock_file(store, site).exists()  # released at the end


def test_lock_of_a_dead_run_is_taken_over(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=3) as site:
        lock = lock_file(store, site)
        lock.parent.mkdir(parents=True)
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
        lock.write_text(json.dumps({"run": "x", "host": socket.gethostname(), "pid": int(dead.stdout),
                                    "started": "2026-01-01T00:00:00+00:00"}))
        run = crawl(site.url, store)
    assert run.code == 0, run.stderr[-2000:]
    assert "Took over the lock" in run.stderr
    assert len(text_records(store)) == 3


def test_stale_lock_of_another_host_is_taken_over_after_the_stale_time(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=3) as site:
        lock = lock_file(store, site)
        lock.parent.mkdir(parents=True)
        lock.write_text(json.dumps({"run": "x", "host": "elsewhere", "pid": 1, "started": "2026-01-01"}))
        held = crawl(site.url, store, "-s", "MORGUE_LOCK_STALE=60")
        assert held.code == 5 and "another crawl" in held.last_line
        old = time.time() - 120
        os.utime(lock, (old, old))  # its heartbeat stopped two minutes ago
        run = crawl(site.url, store, "-s", "MORGUE_LOCK_STALE=60")
    assert run.code == 0, run.stderr[-2000:]
    assert len(text_records(store)) == 3
