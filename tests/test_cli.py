"""The command line: bad input is one line naming what is wrong, with exit code 2, and nothing fetched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import FAST, ROOT, Run, morgue


def scrapy(*args: str, timeout: float = 180) -> Run:
    """Run ``scrapy`` in the project folder (where scrapy.cfg is), as a user would."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("MORGUE_STORE", None)
    proc = subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize("args, words", [
    (["-s", "MORGUE_WARC_MAX_SIZE=big"], ["MORGUE_WARC_MAX_SIZE", "whole number"]),
    (["-s", "MORGUE_EXTRACT_WORKERS=-2"], ["MORGUE_EXTRACT_WORKERS", "at least 0"]),
    (["-s", "MORGUE_FEED_PATHS=perhaps"], ["MORGUE_FEED_PATHS", "true or false"]),
    (["-s", "MORGUE_PROGRESS=loud"], ["MORGUE_PROGRESS"]),
    (["-s", "NOEQUALS"], ["-s", "NAME=VALUE"]),
    (["--since", "last tuesday"], ["--since", "YYYY-MM-DD"]),
    (["--max-pages", "0"], ["--max-pages"]),
    (["--store", "gopher://x/y"], ["unsupported store", "s3://"]),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, site, args, words):
    store = ["--store", str(tmp_path / "archive")] if "--store" not in args else []
    run = morgue("crawl", site.url, *store, *args)
    assert run.code == 2, run.stderr[-1500:]
    assert run.last_line.startswith("morgue: error: ")
    for word in words:
        assert word in run.last_line, run.last_line
    assert "Traceback" not in run.stderr
    assert site.requests == []


@pytest.mark.parametrize("args, words", [
    (["-L", "CHATTY"], ["LOG_LEVEL='CHATTY'", "DEBUG"]),
    (["-s", "DOWNLOAD_DELAY=abc"], ["DOWNLOAD_DELAY='abc'", "a number"]),
    (["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=0"], ["CONCURRENT_REQUESTS_PER_DOMAIN", "at least 1"]),
    (["-s", "DOWNLOAD_MAXSIZE=32MB"], ["DOWNLOAD_MAXSIZE", "whole number"]),
    (["-s", "ROBOTSTXT_OBEY=maybe"], ["ROBOTSTXT_OBEY", "true or false"]),
])
@pytest.mark.parametrize("command", ["morgue", "scrapy"])
def test_a_bad_scrapy_setting_is_one_line_before_anything_starts(tmp_path, site, command, args, words):
    """Scrapy's own settings are checked too, before Scrapy starts: one line naming the setting."""
    store = str(tmp_path / "archive")
    if command == "morgue":
        run = morgue("crawl", site.url, "--store", store, *args)
    else:
        run = scrapy("crawl", "news", "-a", f"site={site.url}", "-s", f"MORGUE_STORE={store}", *args)
    assert run.code == 2, run.stderr[-1500:]
    assert run.stderr.strip().splitlines() == [run.last_line], run.stderr[-1500:]
    assert run.last_line.startswith("morgue: error: invalid setting ")
    for word in words:
        assert word in run.last_line, run.last_line
    assert site.requests == []


def test_extract_prints_one_json_line_per_file(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Bridge reopens | Gazette</title></head><body><article><h1>Bridge reopens</h1>"
        + "".join(f"<p>The bridge over the river reopened on Monday after eight months of repairs, "
                  f"paragraph {i} says, and traffic is flowing again across the old town.</p>" for i in range(6))
        + "</article></body></html>", encoding="utf-8")
    run = morgue("extract", str(page), str(tmp_path / "missing.html"), "--url", "https://n.example/a/bridge")
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    import json

    record, missing = (json.loads(line) for line in lines)
    assert record["source"] == str(page)
    assert "reopened on Monday" in record["text"]
    assert missing["source"] == str(tmp_path / "missing.html")
    assert missing["text"] == "" and missing["reason"].startswith("unreadable (")
    assert run.code == 1 and "missing.html" in run.stderr


def test_the_queue_waits_on_disk_and_goes_away(tmp_path, site):
    """Requests wait in Scrapy's disk queue: a folder of the run's own, removed at the end
    (and one a killed crawler left, at the next start), unless the user names one (JOBDIR)
    to pause and resume the crawl."""
    tmp = tmp_path / "tmp"
    orphan = tmp / "morgue-queue-999999999-0badc0de"  # a killed crawler's: no such process
    (orphan / "requests.queue").mkdir(parents=True)
    run = morgue("crawl", site.url, "--store", str(tmp_path / "a"), "--max-pages", "2", *FAST, env={"TMPDIR": str(tmp)})
    assert run.code == 0, run.stderr[-2000:]
    assert not list(tmp.glob("morgue-queue-*"))  # its own, and the orphan too
    job = tmp_path / "job"
    run = morgue("crawl", site.url, "--store", str(tmp_path / "b"), "--max-pages", "2", *FAST, "-s", f"JOBDIR={job}")
    assert run.code == 0, run.stderr[-2000:]
    assert (job / "requests.queue").is_dir() and (job / "requests.seen").stat().st_size > 0
