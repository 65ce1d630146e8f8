"""The progress line and the log never share a line, on a terminal or in a file."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from morgue.testsite import NewsSite
from tests.conftest import FAST, ROOT, crawl

LOG_RECORD = re.compile(r"\] (DEBUG|INFO|WARNING|ERROR|CRITICAL): ")
# The broken-discovery site makes the crawl log errors while the line is shown every 0.1 s.
OFTEN = ("-s", "MORGUE_PROGRESS_INTERVAL=0.1")


def test_progress_lines_in_a_file_are_lines_of_their_own(tmp_path):
    with NewsSite(variant="broken-discovery") as site:
        run = crawl(site.url, tmp_path, "-s", "MORGUE_PROGRESS=on", *OFTEN)
    assert run.code == 0, run.stderr[-2000:]
    assert "\r" not in run.stderr  # no terminal to redraw on: plain lines
    lines = run.stderr.splitlines()
    progress = [line for line in lines if "pages/s" in line]
    assert len(progress) >= 3
    assert all(line.startswith("morgue: ") for line in progress)
    assert [line for line in progress if LOG_RECORD.search(line)] == []
    assert [line for line in lines if "] ERROR: " in line]


def test_on_a_terminal_the_progress_line_is_cleared_before_a_log_line(tmp_path):
    with NewsSite(variant="broken-discovery") as site:
        master, slave = pty.openpty()
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(
            [sys.executable, "-m", "morgue", "crawl", site.url, "--store", str(tmp_path), *FAST, *OFTEN],
            stdout=subprocess.DEVNULL, stderr=slave, env={**os.environ, "PYTHONPATH": path}, cwd=ROOT)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
        os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    assert proc.returncode == 0, shown[-2000:]
    # What the terminal shows of each line: the text after its last carriage return.
    on_screen = [segment.rsplit("\r", 1)[-1] for segment in shown.split("\n")]
    errors = [line for line in on_screen if "] ERROR: " in line]
    assert errors
    assert [line for line in on_screen if "pages/s" in line and LOG_RECORD.search(line)] == []
    # and the case arose: an error came while the progress line was shown
    assert [s for s in shown.split("\n") if "pages/s" in s and "] ERROR: " in s.rsplit("\r", 1)[-1]]
