"""Incremental crawls and the lock on the S3 server the tests use (rclone serve s3)."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

from morgue.store.s3 import S3Store
from morgue.testsite.revisions import RevisionSite
from tests.conftest import FAST, morgue
from tests.s3server import (  # noqa: F401  (fixtures)
    BUCKET,
    S3Server,
    fixture_s3_env,
    fixture_s3_server,
    fixture_s3_server_factory,
)

STORE = f"s3://{BUCKET}/news"


def s3_crawl(site: RevisionSite, spool: Path, *extra: str):
    return morgue("crawl", site.url, "--store", STORE, *FAST, "-s", "MORGUE_S3_MAX_ATTEMPTS=2", *extra,
                  env={"MORGUE_SPOOL": str(spool)})


def texts(store: S3Store) -> list[dict]:
    import gzip

    out = []
    for key in store.list("text/"):
        with store.open(key) as raw, gzip.open(raw, "rt") as f:
            out.extend(json.loads(line) for line in f)
    return out


def test_incremental_crawl_state_reindex_and_lock_on_s3(s3_env: S3Server, tmp_path: Path) -> None:
    store = S3Store.from_uri(STORE)
    spool = tmp_path / "spool"
    with RevisionSite(articles=5) as site:
        first = s3_crawl(site, spool)
        assert first.code == 0, first.stderr[-2000:]
        assert len(texts(store)) == 5
        assert list(store.list("state/")) and list(store.list("reports/"))
        assert not list(store.list("locks/"))  # released

        site.correct(4)
        second = s3_crawl(site, spool)
        assert second.code == 0, second.stderr[-2000:]
        records = texts(store)
        assert len(records) == 6 and [r["version"] for r in records if r.get("version")] == [2]

        # state lost: reindex rebuilds it from the store, and the next run is incremental again
        shutil.rmtree(s3_env.root / BUCKET / "news" / "state")
        reindex = morgue("reindex", "--store", STORE)
        assert reindex.code == 0, reindex.stderr
        third = s3_crawl(site, spool)
        assert third.code == 0, third.stderr[-2000:]
        assert len(texts(store)) == 6
        assert "0 new, 0 revised" in third.stderr

        # a live run holds the lock: this process, on this host
        port = site.url.rstrip("/").rsplit(":", 1)[1]
        holder = {"run": "other", "host": socket.gethostname(), "pid": os.getpid(), "started": "now"}
        store._client.put_object(Bucket=BUCKET, Key=f"news/locks/127.0.0.1_{port}.lock",
                                 Body=json.dumps(holder).encode())
        locked = s3_crawl(site, spool)
    assert locked.code == 5, locked.stderr[-2000:]
    assert "another crawl of 127.0.0.1_" in locked.last_line
