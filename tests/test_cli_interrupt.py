"""Ctrl-C and SIGTERM: the first stops the crawl promptly and keeps every file, exit code 6; the second at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from morgue.testsite import NewsSite
from tests.conftest import ROOT, warc_records


def start_crawl(url: str, store: Path, *extra: str) -> subprocess.Popen:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("MORGUE_STORE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "morgue", "crawl", url, "--store", str(store),
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "MORGUE_EXTRACT_WORKERS=1", "-s", "MORGUE_QUIET=off", *extra],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def listening_tcp_ports(pid: int) -> set[int]:
    """The TCP ports the process listens on (any address)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            cols = row.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_promptly_archives_what_was_fetched_and_exits_6(tmp_path, signum):
    store = tmp_path / "archive"
    with NewsSite() as site:
        # A polite crawl of a slow site: one request every 0.5 s, and up to 32 waiting their turn.
        proc = start_crawl(site.url, store, "-s", "DOWNLOAD_DELAY=0.5", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False")
        try:
            wait_for(lambda: len(site.requests) >= 5, 30)
            # Scrapy's remote-control server is off like the telnet console: nothing listens.
            assert listening_tcp_ports(proc.pid) == set()
            served = {urlsplit(path).path for _, path, _ in site.requests[:]}
            asked = len(site.requests)
            sent = time.monotonic()
            proc.send_signal(signum)
            _, stderr = proc.communicate(timeout=30)
        finally:
            proc.kill()
        took = time.monotonic() - sent
        after = len(site.requests) - asked
    assert proc.returncode == 6, stderr[-3000:]
    assert took < 4, took  # Scrapy alone waited for every queued request: 16 s here
    assert after <= 1  # at most the one already on its way
    assert "morgue: interrupted: finishing files (press Ctrl-C again to stop at once)" in stderr
    assert f"morgue: interrupted by {signum.name}: the crawl stopped before it was done" in stderr
    assert stderr.strip().splitlines()[-1].startswith("morgue: interrupted: what was fetched is archived in")
    assert "Traceback" not in stderr
    archived = {urlsplit(r["headers"]["WARC-Target-URI"]).path for r in warc_records(store) if r["type"] == "response"}
    assert served <= archived, served - archived
    assert not list(store.glob(".spool/**/*.warc.gz"))  # finished and moved to the store


def test_a_second_ctrl_c_ends_a_crawl_stuck_on_a_server_that_never_answers(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/"
    proc = start_crawl(url, tmp_path / "archive", "-s", "DOWNLOAD_TIMEOUT=120")
    try:
        wait_for(lambda: len(accepted) >= 1, 30)
        workers = children(proc.pid)
        proc.send_signal(signal.SIGINT)
        time.sleep(1.0)
        assert proc.poll() is None  # the first signal waits for the download in flight
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        proc.kill()
        server.close()
        for conn in accepted:
            conn.close()
    assert proc.returncode == 6, stderr[-3000:]
    assert took < 3, took
    assert "morgue: stopped at once" in stderr
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text()]


def test_ctrl_c_while_the_crawl_opens_stops_it(tmp_path):
    """A signal between the engine's making and its start once left the crawl paused for ever."""
    with NewsSite() as site:
        proc = start_crawl(site.url, tmp_path / "archive")
        try:
            for line in proc.stderr:
                if "Enabled item pipelines" in line:  # logged as the engine is made, before the spider opens
                    break
            else:
                pytest.fail("the crawl ended without logging its item pipelines")
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=20)
        finally:
            proc.kill()
        asked = len(site.requests)
    assert proc.returncode == 6, stderr[-3000:]
    assert "morgue: interrupted: finishing files" in stderr
    assert asked <= 4  # robots.txt and the home page at most: no crawl after the signal
