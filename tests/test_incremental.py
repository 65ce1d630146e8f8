"""Incremental crawls: a second run does only the new work; corrections become revisions; state is a cache."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from morgue.testsite.revisions import RevisionSite
from tests.conftest import CRON, FAST, ROOT, crawl, morgue, text_records, warc_records

SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"


def articles_line(stderr: str) -> dict[str, int]:
    """The summary's ``articles: N new, N revised, N unchanged, N not fetched`` line."""
    line = next(x for x in stderr.splitlines() if x.startswith("morgue: articles: "))
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"(\d+) (new|revised|unchanged|not fetched)", line)}


def article_gets(site: RevisionSite) -> list[tuple[str, dict]]:
    with site._lock:
        return [(p, h) for m, p, h in site.requests if m == "GET" and p.startswith("/news/")]


def test_second_run_fetches_conditionally_and_writes_no_text_records(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=8) as site:
        first = crawl(site.url, store)
        assert first.code == 0, first.stderr[-2000:]
        assert len(text_records(store)) == 8
        site.requests.clear()
        second = crawl(site.url, store, "-s", "MORGUE_RECHECK_DAYS=100000")  # every article "recent"
        gets = article_gets(site)
    assert second.code == 0, second.stderr[-2000:]
    assert len(text_records(store)) == 8  # no new text record
    assert len(gets) == 8 and all(h.get("If-None-Match") for _, h in gets), gets
    revisits = [r for r in warc_records(store) if r["type"] == "revisit"]
    assert len(revisits) == 8
    for r in revisits:
        assert r["headers"]["WARC-Profile"] == SERVER_NOT_MODIFIED
        assert r["headers"]["WARC-Refers-To"].startswith("<urn:uuid:")
        assert r["headers"]["WARC-Refers-To-Target-URI"] == r["headers"]["WARC-Target-URI"]
        assert r["headers"]["WARC-Refers-To-Date"]
    assert "revisits: 8 (8 not modified, 0 identical payload)" in second.stderr


def test_unchanged_old_articles_are_not_fetched_at_all(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=6) as site:
        assert crawl(site.url, store).code == 0
        site.requests.clear()
        run = crawl(site.url, store)
        with site._lock:
            asked = [p for m, p, _ in site.requests]
    assert run.code == 0, run.stderr[-2000:]
    # discovery documents are fetched again; an article only when a link names it before the sitemap
    # gives its date, and then conditionally
    assert "/sitemap.xml" in asked and "/" in asked
    articles = articles_line(run.stderr)
    assert articles["new"] == 0 and articles["not fetched"] >= 3
    assert articles["not fetched"] + articles["unchanged"] == 6
    assert len(text_records(store)) == 6


def test_correction_gives_one_new_record_that_supersedes_the_old(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=8) as site:
        assert crawl(site.url, store).code == 0
        before = {urlsplit(r["url"]).path: r for r in text_records(store)}
        site.correct(6)  # not linked from the home page: found again through the sitemap's new lastmod
        run = crawl(site.url, store)
        path = site.articles[6].path
    assert run.code == 0, run.stderr[-2000:]
    after = text_records(store)
    assert len(after) == 9
    new = [r for r in after if r.get("version")]
    assert len(new) == 1 and urlsplit(new[0]["url"]).path == path
    assert new[0]["version"] == 2
    assert new[0]["supersedes"] == before[path]["warc_record_id"]
    assert "Correction 1" in new[0]["text"] and "Correction" not in before[path]["text"]
    assert "1 revised" in run.stderr


def test_identical_payload_is_a_revisit_readable_by_cdxj_indexer(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=4, conditional=False) as site:
        assert crawl(site.url, store).code == 0
        run = crawl(site.url, store, "-s", "MORGUE_RECHECK_DAYS=100000")
    assert run.code == 0, run.stderr[-2000:]
    assert len(text_records(store)) == 4
    revisits = [r for r in warc_records(store) if r["type"] == "revisit"]
    assert len(revisits) == 4 and {r["headers"]["WARC-Profile"] for r in revisits} == {IDENTICAL}
    responses = {r["headers"]["WARC-Record-ID"]: r for r in warc_records(store) if r["type"] == "response"}
    for r in revisits:
        original = responses[r["headers"]["WARC-Refers-To"]]
        assert original["headers"]["WARC-Payload-Digest"] == r["headers"]["WARC-Payload-Digest"]
        assert original["headers"]["WARC-Date"] == r["headers"]["WARC-Refers-To-Date"]
    files = [str(p) for p in sorted(store.glob("warc/*/*/*/*.warc.gz"))]
    out = subprocess.run([sys.executable, "-m", "cdxj_indexer.main", *files], capture_output=True, text=True,
                         check=True).stdout
    lines = [json.loads(line.split(" ", 2)[2]) for line in out.splitlines() if line.strip()]
    kinds = Counter(entry.get("mime") for entry in lines if "/news/" in entry["url"])
    assert kinds["warc/revisit"] == 4, kinds
    digests = {e["digest"] for e in lines if e.get("mime") == "warc/revisit"}
    assert digests <= {e["digest"] for e in lines if e.get("mime", "").startswith("text/html")}


def test_state_deleted_then_reindex_makes_the_next_run_incremental_again(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=6) as site:
        assert crawl(site.url, store).code == 0
        shutil.rmtree(store / "state")
        reindex = morgue("reindex", "--store", str(store))
        assert reindex.code == 0, reindex.stderr
        assert "crawl state rebuilt: 1 sites, 6 articles" in reindex.stderr
        site.requests.clear()
        run = crawl(site.url, store)
        gets = article_gets(site)
    assert run.code == 0, run.stderr[-2000:]
    assert len(text_records(store)) == 6
    # no article is fetched whole: each one is skipped, or (linked from the home page before the
    # sitemap gave its date) asked for with the validators the WARC kept
    assert len(gets) <= 3 and all(h.get("If-None-Match") for _, h in gets), gets
    assert articles_line(run.stderr) == {"new": 0, "revised": 0, "unchanged": len(gets), "not fetched": 6 - len(gets)}


def test_without_state_a_run_loses_nothing_and_only_does_more_work(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=5) as site:
        assert crawl(site.url, store).code == 0
        shutil.rmtree(store / "state")
        run = crawl(site.url, store)
    assert run.code == 0
    assert len(text_records(store)) == 10  # everything again (a full crawl), nothing lost


def test_killed_run_then_normal_run_archives_every_article_once(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MORGUE_STORE", None)
    with RevisionSite(articles=30) as site:
        proc = subprocess.Popen(
            [sys.executable, "-m", "morgue", "crawl", site.url, "--store", str(store), *FAST,
             "-s", "DOWNLOAD_DELAY=0.15", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while len(article_gets(site)) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert list((store / ".spool" / "open").glob("*.jsonl.gz")), "the killed run left no text file"
        run = crawl(site.url, store)
        paths = [a.path for a in site.articles]
    assert run.code == 0, run.stderr[-2000:]
    counts = Counter(urlsplit(r["url"]).path for r in text_records(store))
    assert counts == dict.fromkeys(paths, 1)


def test_full_fetches_everything_again_without_duplicating_text(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=4, conditional=False) as site:
        assert crawl(site.url, store).code == 0
        site.requests.clear()
        run = crawl(site.url, store, "-s", "MORGUE_FULL=true")
        gets = article_gets(site)
    assert run.code == 0, run.stderr[-2000:]
    assert len(gets) == 4 and not any(h.get("If-None-Match") for _, h in gets)
    assert len(text_records(store)) == 4  # the same payloads: revisits, no second text record


def test_run_report_in_the_store(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=3) as site:
        run = crawl(site.url, store)
    assert run.code == 0
    (path,) = store.glob("reports/*/*/*/*.json")
    report = json.loads(path.read_text())
    assert report["exit_code"] == 0 and report["start"] <= report["end"]
    (one,) = report["sites"]
    assert one["outcome"] == "ok" and one["articles"]["new"] == 3 and one["text_records"] == 3
    assert one["pages_by_status"]["200"] >= 5 and one["warc_files"] == 1 and one["bytes_archived"] > 0


def test_out_of_disk_stops_with_its_own_code(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=3) as site:
        run = crawl(site.url, store, "-s", f"MORGUE_MIN_FREE_SPACE={10**18}")
    assert run.code == 7, run.stderr[-2000:]
    assert "out of disk space" in run.last_line and "MORGUE_MIN_FREE_SPACE" in run.last_line


def test_quiet_run_prints_the_summary_and_logs_to_the_file(tmp_path: Path) -> None:
    store, log = tmp_path / "archive", tmp_path / "crawl.log"
    with RevisionSite(articles=3) as site:
        # morgue's default under cron (no terminal): no MORGUE_QUIET given
        run = morgue("crawl", site.url, "--store", str(store), *CRON)
        logged = morgue("crawl", site.url, "--store", str(tmp_path / "b"), *CRON, "--log-file", str(log))
    for r in (run, logged):
        assert r.code == 0
        assert "Enabled extensions" not in r.stderr and "INFO" not in r.stderr
        assert "morgue: articles archived: 3" in r.stderr
        assert len(r.stderr.splitlines()) <= 12, r.stderr
    assert "Enabled extensions" in log.read_text()


def _gz_lines(path: Path) -> list:
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f]


def test_state_snapshot_is_in_the_store(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=3) as site:
        assert crawl(site.url, store).code == 0
    (snapshot,) = store.glob("state/*/*.jsonl.gz")
    header, *rows = _gz_lines(snapshot)
    assert header["format"] == 2 and len(rows) == 3
