"""Whole crawls into a real S3-compatible store (rclone serve s3 on 127.0.0.1), with the real CLI.

The store is given to the ``morgue`` command the way a user gives it: ``--store s3://...`` and boto3's own
AWS_* environment variables. The tests then read the bucket back through ``S3Store``, and take the
server away, or kill the crawler, in the middle of a crawl.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from warcio.archiveiterator import ArchiveIterator

from morgue.store.names import key_for
from morgue.store.s3 import S3Store
from tests.conftest import FAST, ROOT, Run, morgue, read_one_record
from tests.s3server import (  # noqa: F401  (fixtures)
    BUCKET,
    S3Server,
    fixture_s3_env,
    fixture_s3_server,
    fixture_s3_server_factory,
)

PREFIX = "news"
STORE = f"s3://{BUCKET}/{PREFIX}"
#: small retry budgets, so that a store that is away costs seconds, not minutes
QUICK_RETRIES = ["-s", "MORGUE_S3_MAX_ATTEMPTS=2", "-s", "MORGUE_S3_CONNECT_TIMEOUT=2"]
WAITING_WARNING = re.compile(r"Store s3://\S+ unavailable \(.*\): \d+ files, \d+ bytes waiting in spool")


# -- helpers


def crawl_args(site_url: str, *extra: str) -> list[str]:
    return ["crawl", site_url, "--store", STORE, *FAST, *QUICK_RETRIES, *extra]


def spool_env(spool: Path) -> dict[str, str]:
    return {"MORGUE_SPOOL": str(spool)}


class Crawl:
    """A ``morgue`` command running in the background, in its own process group."""

    def __init__(self, args: list[str], env: dict[str, str], logs: Path):
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        full_env.pop("MORGUE_STORE", None)
        logs.mkdir(parents=True, exist_ok=True)
        # Files, not pipes, so that a chatty child never blocks; closed in wait().
        self._out = open(logs / "stdout", "w+")  # noqa: SIM115
        self._err = open(logs / "stderr", "w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "morgue", *args], cwd=ROOT, env=full_env,
            stdin=subprocess.DEVNULL, stdout=self._out, stderr=self._err, start_new_session=True,
        )

    def running(self) -> bool:
        return self.proc.poll() is None

    def stderr(self) -> str:
        self._err.flush()
        self._err.seek(0)
        return self._err.read()

    def wait(self, timeout: float = 120) -> Run:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._out.seek(0)
        run = Run(code, self._out.read(), self.stderr())
        self._out.close()
        self._err.close()
        return run

    def kill_main(self) -> None:
        """SIGKILL the crawler process alone, as the OOM killer would; its workers live on a moment."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def kill(self) -> None:
        """SIGKILL the crawler and whatever it started and left (extraction workers): its process group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def wait_for(condition: Callable[[], object], timeout: float, what: str, crawl: Crawl | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if crawl is not None and not crawl.running():
            pytest.fail(f"the crawl ended before {what}:\n{crawl.stderr()[-3000:]}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def spool_files(spool: Path, folder: str, ext: str = "") -> list[Path]:
    path = spool / folder
    return sorted(p for p in path.iterdir() if p.name.endswith(ext)) if path.is_dir() else []


#: what morgue keeps in a store beside the WARC and text files, all made from them
SIDECARS = ("catalogue/", "cdxj/", "state/", "reports/", "locks/")


def store_files(store: S3Store, kind: str) -> list[str]:
    return list(store.list(f"{kind}/"))


def store_warc_records(store: S3Store) -> list[dict]:
    """Every record of every WARC in the store, read through ``store.open``."""
    out = []
    for key in store_files(store, "warc"):
        with store.open(key) as body:
            for rec in ArchiveIterator(body):
                out.append({
                    "key": key,
                    "type": rec.rec_type,
                    "id": rec.rec_headers.get_header("WARC-Record-ID"),
                    "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                    "payload": rec.content_stream().read(),
                })
    return out


def store_text_records(store: S3Store) -> list[dict]:
    records = []
    for key in store_files(store, "text"):
        with store.open(key) as body:
            data = gzip.decompress(body.read())
        records.extend(json.loads(line) for line in data.decode("utf-8").splitlines())
    return records


def key_of(path: Path) -> str:
    return key_for(path.name)


def keys_on_disk(server: S3Server) -> set[str]:
    """The keys the served folder holds, read from the disk (with the server stopped, say)."""
    root = server.root / BUCKET / PREFIX
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def response_paths(records: list[dict]) -> Counter[str]:
    return Counter(path_of(r["uri"]) for r in records if r["type"] == "response")


def assert_warcio_check(data: bytes, where: Path) -> None:
    where.write_bytes(data)
    check = subprocess.run(["warcio", "check", "-v", str(where)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]


def assert_every_file_valid(store: S3Store, tmp_path: Path, restarted: set[str] = frozenset()) -> None:
    """Each WARC passes ``warcio check``; each object's metadata holds the SHA-256 of its bytes.

    rclone keeps object metadata in memory only: the objects in ``restarted``, stored before the
    server restarted, have lost theirs.
    """
    client = boto3.session.Session().client("s3", config=Config(response_checksum_validation="when_required"))
    keys = store_files(store, "warc") + store_files(store, "text")
    assert keys
    for key in keys:
        with store.open(key) as body:
            data = body.read()
        head = client.head_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")
        assert head["ContentLength"] == len(data)
        if key not in restarted:
            meta = {k.lower(): v for k, v in head["Metadata"].items()}
            assert meta.get("sha256") == hashlib.sha256(data).hexdigest(), key
        if key.endswith(".warc.gz"):
            assert_warcio_check(data, tmp_path / key.rpartition("/")[2])
        else:
            gzip.decompress(data)


def assert_text_records_lead_to_their_responses(store: S3Store, texts: list[dict]) -> None:
    for text in texts:
        data = store.read_range(text["warc_key"], text["warc_offset"], text["warc_length"])
        assert len(data) == text["warc_length"]
        rec = read_one_record(data)
        assert rec.rec_type == "response"
        assert rec.rec_headers.get_header("WARC-Record-ID") == text["warc_record_id"]
        assert rec.rec_headers.get_header("WARC-Target-URI") == text["url"]


def complete_members(data: bytes) -> tuple[list[bytes], int]:
    """The complete gzip members at the start of ``data``, and how many bytes follow them."""
    members, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(wbits=31)
        try:
            d.decompress(data[pos:])
        except zlib.error:
            break
        if not d.eof:
            break
        end = len(data) - len(d.unused_data)
        members.append(data[pos:end])
        pos = end
    return members, len(data) - pos


# -- the tests


def test_crawl_into_s3(s3_env: S3Server, site, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = morgue(*crawl_args(site.url, "-s", "MORGUE_WARC_MAX_SIZE=30000"), env=spool_env(spool))
    assert run.code == 0, run.stderr[-3000:]

    store = S3Store(BUCKET, PREFIX)
    warcs = store_files(store, "warc")
    assert len(warcs) >= 2, "rotation at 30 kB should give several WARC files"
    assert all(re.fullmatch(r"warc/\d{4}/\d\d/\d\d/MORGUE-[^/]+\.warc\.gz", k) for k in warcs)
    records = store_warc_records(store)
    assert {r["key"] for r in records if r["type"] == "warcinfo"} == set(warcs)
    # Every exchange the site saw is in the store, once.
    assert response_paths(records) == Counter(site.requested_paths())

    texts = store_text_records(store)
    text_paths = {path_of(t["url"]) for t in texts}
    assert {a["path"] for a in site.articles} <= text_paths <= set(site.requested_paths())
    assert_text_records_lead_to_their_responses(store, texts)
    assert_every_file_valid(store, tmp_path)

    assert not spool_files(spool, "open") and not spool_files(spool, "ready")
    # No credential in the log nor in the archive.
    stored = b"".join(p.read_bytes() for p in (s3_env.root / BUCKET).rglob("*") if p.is_file())
    for secret in (s3_env.secret_key, s3_env.access_key):
        assert secret not in run.stdout + run.stderr
        assert secret.encode() not in stored
        assert secret.encode() not in b"".join(gzip.decompress(p.read_bytes())
                                               for p in (s3_env.root / BUCKET).rglob("*.gz"))
    # Nothing but our keys under the prefix, and nothing outside it: the archive files, and the
    # indexes, state and reports made from them.
    keys = sorted(store.list())
    assert [k for k in keys if k.startswith(("warc/", "text/"))] == sorted(warcs + store_files(store, "text"))
    assert all(k.startswith(("warc/", "text/", *SIDECARS)) for k in keys), keys
    assert [p.name for p in (s3_env.root / BUCKET).iterdir()] == [PREFIX]


def test_wrong_credentials_fail_before_fetching(s3_env: S3Server, site, tmp_path: Path) -> None:
    wrong_secret = "wrong-" + s3_env.secret_key[::-1]
    env = {**spool_env(tmp_path / "spool"), "AWS_SECRET_ACCESS_KEY": wrong_secret}
    run = morgue(*crawl_args(site.url), env=env)
    assert run.code == 2, run.stderr[-3000:]
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert run.last_line == f"morgue: error: store {STORE}: wrong secret key (check AWS credentials)"
    for secret in (wrong_secret, s3_env.secret_key):
        assert secret not in run.stdout + run.stderr
    assert site.requests == []
    assert not list((s3_env.root / BUCKET).iterdir())


def test_store_away_mid_crawl_then_back(s3_env: S3Server, site, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    store = S3Store(BUCKET, PREFIX)
    crawl = Crawl(
        crawl_args(site.url, "-s", "MORGUE_WARC_MAX_SIZE=20000", "-s", "DOWNLOAD_DELAY=0.3",
                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"),
        spool_env(spool), tmp_path / "logs",
    )
    try:
        wait_for(lambda: store_files(store, "warc"), 60, "the first upload", crawl)
        s3_env.stop()
        asked_at_stop = len(site.requests)
        before_restart = keys_on_disk(s3_env)
        # The crawl goes on, spooling locally while uploads fail.
        wait_for(lambda: len(spool_files(spool, "ready", ".warc.gz")) >= 2, 30,
                 "WARC files piling up in the spool", crawl)
        wait_for(lambda: WAITING_WARNING.search(crawl.stderr()), 30, "the 'waiting in spool' warning", crawl)
        assert crawl.running(), "the crawl should outlast the outage"
        assert len(site.requests) > asked_at_stop, "the crawl should go on fetching while the store is away"
        s3_env.start()
        run = crawl.wait()
    finally:
        crawl.kill()
    assert run.code == 0, run.stderr[-3000:]
    assert WAITING_WARNING.search(run.stderr)

    assert not spool_files(spool, "open") and not spool_files(spool, "ready")
    written = int(re.search(r"WARC: (\d+) files", run.stderr).group(1))
    assert written >= 4
    warcs = store_files(store, "warc")
    assert len(warcs) == written
    records = store_warc_records(store)
    assert response_paths(records) == Counter(site.requested_paths())
    texts = store_text_records(store)
    assert len(texts) == int(re.search(r"articles archived: (\d+)", run.stderr).group(1)) > 0
    assert_text_records_lead_to_their_responses(store, texts)
    assert_every_file_valid(store, tmp_path, restarted=before_restart)


def test_run_ends_with_store_away_then_flush(s3_env: S3Server, site, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    crawl = Crawl(
        crawl_args(site.url, "-s", "MORGUE_WARC_MAX_SIZE=100000", "-s", "MORGUE_UPLOAD_TIMEOUT=2"),
        spool_env(spool), tmp_path / "logs",
    )
    try:
        # The store was checked before the first request: take it away now.
        wait_for(lambda: site.requests, 60, "the first request", crawl)
        s3_env.stop()
        run = crawl.wait()
    finally:
        crawl.kill()
    assert run.code == 3, run.stderr[-3000:]
    waiting = spool_files(spool, "ready")
    assert waiting and not spool_files(spool, "open")
    assert run.last_line == (f"morgue: error: {len(waiting)} files could not be uploaded to {STORE}; "
                             "run `morgue flush` to upload them")
    assert s3_env.secret_key not in run.stdout + run.stderr

    already = {k for k in keys_on_disk(s3_env) if k.startswith(("warc/", "text/"))}  # uploaded before the stop
    s3_env.start()
    store = S3Store(BUCKET, PREFIX)
    expected = already | {key_of(p) for p in waiting}
    run = morgue("flush", "--store", STORE, *QUICK_RETRIES, env=spool_env(spool))
    assert run.code == 0, run.stderr[-3000:]
    assert not spool_files(spool, "ready") and not spool_files(spool, "open")
    assert {k for k in store.list() if k.startswith(("warc/", "text/"))} == expected
    records = store_warc_records(store)
    assert response_paths(records) == Counter(site.requested_paths())
    assert_text_records_lead_to_their_responses(store, store_text_records(store))
    assert_every_file_valid(store, tmp_path, restarted=already)


def test_sigkill_mid_warc_then_next_run_repairs_and_uploads(s3_env: S3Server, site,
                                                            tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    article_paths = {a["path"] for a in site.articles}
    crawl = Crawl(crawl_args(site.url, "-s", "DOWNLOAD_DELAY=0.3"), spool_env(spool), tmp_path / "logs")

    def mid_crawl() -> bool:
        fetched = [p for p in site.requested_paths() if p in article_paths]
        texts = spool_files(spool, "open", ".jsonl.gz")
        return len(fetched) >= 3 and bool(texts) and texts[0].stat().st_size > 0

    try:
        wait_for(mid_crawl, 60, "a few articles in the open WARC", crawl)
        crawl.kill_main()
        asked = site.requested_paths()
        open_warcs = spool_files(spool, "open", ".warc.gz")
        open_texts = spool_files(spool, "open", ".jsonl.gz")
        assert len(open_warcs) == 1 and len(open_texts) == 1, list((spool / "open").iterdir())
        warc_path, text_path = open_warcs[0], open_texts[0]

        # What the killed run had completely written: every gzip member that is whole.
        warc_members, _ = complete_members(warc_path.read_bytes())
        killed = [rec for member in warc_members for rec in ArchiveIterator(io.BytesIO(member))]
        killed_ids = [rec.rec_headers.get_header("WARC-Record-ID") for rec in killed]
        killed_responses = Counter(path_of(rec.rec_headers.get_header("WARC-Target-URI"))
                                   for rec in killed if rec.rec_type == "response")
        # Every response the site sent before the kill is there, but for the few still in flight.
        assert set(killed_responses) <= set(asked)
        assert sum(killed_responses.values()) >= len(asked) - 2
        assert len([p for p in killed_responses if p in article_paths]) >= 2
        text_members, _ = complete_members(text_path.read_bytes())
        killed_texts = [json.loads(gzip.decompress(m)) for m in text_members]
        assert killed_texts
        # Whatever the kill interrupted, make it certain: a torn record at the end of both files.
        with open(warc_path, "ab") as f:
            f.write(warc_members[-1][: len(warc_members[-1]) // 2])
        with open(text_path, "ab") as f:
            f.write(text_members[-1][: len(text_members[-1]) // 2])

        # The next run, with the killed run's extraction workers perhaps still about.
        run = morgue(*crawl_args(site.url), env=spool_env(spool))
    finally:
        crawl.kill()
    assert run.code == 0, run.stderr[-3000:]
    assert f"Recovered {warc_path.name} left by a crashed run" in run.stderr
    assert f"Recovered {text_path.name} left by a crashed run" in run.stderr
    assert not spool_files(spool, "open") and not spool_files(spool, "ready")

    store = S3Store(BUCKET, PREFIX)
    warc_key, text_key = key_of(warc_path), key_of(text_path)
    assert store.exists(warc_key) and store.exists(text_key)
    with store.open(warc_key) as body:
        repaired = body.read()
    assert repaired == b"".join(warc_members)
    assert_warcio_check(repaired, tmp_path / warc_path.name)
    assert [rec.rec_headers.get_header("WARC-Record-ID")
            for rec in ArchiveIterator(io.BytesIO(repaired))] == killed_ids

    with store.open(text_key) as body:
        texts = [json.loads(line) for line in gzip.decompress(body.read()).decode().splitlines()]
    assert texts == killed_texts
    assert {t["warc_key"] for t in texts} == {warc_key}
    assert_text_records_lead_to_their_responses(store, texts)
    assert_every_file_valid(store, tmp_path)
