"""Shared fixtures: the local news site, and running the real ``morgue`` command."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from morgue.testsite import NewsSite

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def last_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def morgue(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 180) -> Run:
    """Run the real CLI in a child process, as a user would."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    full_env = {**os.environ, "PYTHONPATH": path, **(env or {})}
    full_env.pop("MORGUE_STORE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "morgue", *args], cwd=cwd or ROOT, env=full_env,
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


#: no politeness delays, one extraction worker; morgue's own default output (quiet without a terminal)
CRON = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "MORGUE_EXTRACT_WORKERS=1"]
#: the same with Scrapy's INFO lines on standard error, which many tests read
FAST = [*CRON, "-s", "MORGUE_QUIET=off"]


def crawl(site_url: str, store: Path, *extra: str) -> Run:
    return morgue("crawl", site_url, "--store", str(store), *FAST, *extra)


def warc_files(store: Path) -> list[Path]:
    return sorted(store.glob("warc/*/*/*/*.warc.gz"))


def text_records(store: Path) -> list[dict]:
    records = []
    for path in sorted(store.glob("text/*/*/*/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            records.extend(json.loads(line) for line in f)
    return records


def warc_records(store: Path) -> list[dict]:
    """Every record of every WARC file: headers, raw payload, and where it sits."""
    out = []
    for path in warc_files(store):
        with open(path, "rb") as f:
            it = ArchiveIterator(f, no_record_parse=False)
            for rec in it:
                payload = rec.raw_stream.read()
                out.append({
                    "file": path.name,
                    "type": rec.rec_type,
                    "headers": dict(rec.rec_headers.headers),
                    "http": rec.http_headers,
                    "payload": payload,
                    "offset": it.get_record_offset(),
                    "length": it.get_record_length(),
                })
    return out


def read_one_record(data: bytes):
    return next(iter(ArchiveIterator(io.BytesIO(data))))


@pytest.fixture
def site():
    with NewsSite() as s:
        yield s


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the normal site, shared by the tests that only read its output."""
    store = tmp_path_factory.mktemp("archive")
    with NewsSite() as s:
        # 1 MB: the site's 3 MB page must be skipped while the crawl goes on
        run = crawl(s.url, store, "-s", "DOWNLOAD_MAXSIZE=1000000")
        yield s, store, run
