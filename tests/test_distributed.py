"""#22: several crawler processes over one frontier in a real redis-server (scrapy-redis)."""

from __future__ import annotations

import collections
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from morgue.testsite import NewsSite
from tests.conftest import CRON, ROOT, crawl, morgue, text_records, warc_records
from tests.redisserver import RedisServer

#: ``python -m morgue`` with Scrapy's deprecation warnings as errors, as pytest's filterwarnings makes them here
#: (PYTHONWARNINGS cannot name a category of a package: Python reads it before it can import one)
STRICT = ["-c", ("import runpy, warnings; from scrapy.exceptions import ScrapyDeprecationWarning as W; "
                "warnings.filterwarnings('error', category=W); runpy.run_module('morgue', run_name='__main__')")]


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    redis_server.client.flushdb()
    return redis_server.url


def env(url: str, **extra: str) -> dict:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    full = {**os.environ, "PYTHONPATH": path, "MORGUE_REDIS_URL": url, "MORGUE_IDLE_EXIT": "5", **extra}
    full.pop("MORGUE_STORE", None)
    return full


def start_worker(url: str, site_url: str, store: Path, *extra: str, timeout: float = 10, **more_env: str,
                 ) -> subprocess.Popen:
    """``timeout``: MORGUE_WORKER_TIMEOUT, long enough that three crawlers starting on 2 cores are not taken for
    dead (that would fetch their requests twice), short where a worker is killed."""
    return subprocess.Popen(
        [sys.executable, *STRICT, "crawl", site_url, "--store", str(store), "--distributed", *CRON,
         "-s", "MORGUE_QUIET=off",
         "-s", f"MORGUE_WORKER_TIMEOUT={timeout}", *extra],
        cwd=ROOT, env=env(url, **more_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(procs: list[subprocess.Popen], url: str, timeout: float = 90) -> list[tuple[str, str]]:
    """Each worker's output once it exits; a worker still running after ``timeout`` fails the test, saying why."""
    deadline = time.monotonic() + timeout
    outs = []
    for proc in procs:
        try:
            outs.append(proc.communicate(timeout=max(1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            now = status(url)
            for p in procs:
                p.kill()
            tails = [p.communicate()[1][-4000:] for p in procs if p.stderr and not p.stderr.closed]
            raise AssertionError(f"a worker did not end; status: {now}\n" + "\n----\n".join(tails)) from None
    return outs


def status(url: str) -> dict:
    run = morgue("status", "--json", env=env(url))
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def slow_articles(site: NewsSite, seconds: float) -> None:
    """Every article answers after ``seconds``: the crawl lasts long enough to watch it and to kill a worker."""
    for article in site.articles:
        site.slow[article["path"]] = seconds


def baseline(tmp_path: Path, site: NewsSite) -> set[str]:
    """The article paths a single-machine crawl of the same site archives."""
    store = tmp_path / "single"
    run = crawl(site.url, store)
    assert run.code == 0, run.stderr
    return {"/" + r["url"].split("/", 3)[3] for r in text_records(store)}


def paths(records: list[dict], site: NewsSite) -> list[str]:
    return ["/" + r["url"].split("/", 3)[3] for r in records if r["url"].startswith(site.url)]


def test_without_redis_url_or_with_a_bad_one_one_line_and_exit_2(tmp_path, redis_server):
    run = morgue("crawl", "http://127.0.0.1:9/", "--store", str(tmp_path / "a"), "--distributed",
                 env={"MORGUE_REDIS_URL": ""})
    assert run.code == 2
    assert run.stderr.strip() == ("morgue: error: --distributed needs a Redis server: "
                                  "set MORGUE_REDIS_URL=redis://HOST:6379/0")
    for bad in ("redis://127.0.0.1:1/0", "http://queue-host/"):
        for args in (("crawl", "http://127.0.0.1:9/", "--store", str(tmp_path / "a"), "--distributed"),
                     ("status",), ("enqueue", "http://127.0.0.1:9/")):
            run = morgue(*args, env={"MORGUE_REDIS_URL": bad})
            assert run.code == 2, (args, run.stderr)
            assert len(run.stderr.strip().splitlines()) == 1, run.stderr
            assert "Traceback" not in run.stderr and f"MORGUE_REDIS_URL={bad!r}" in run.stderr


def test_three_workers_share_one_site_each_article_once_rate_held_status_and_enqueue(tmp_path, redis_url):
    with NewsSite() as site, NewsSite() as other:
        expected = baseline(tmp_path, site)
        site.requests.clear()
        site.request_times.clear()
        slow_articles(site, 0.3)
        store = tmp_path / "archive"
        delay = 0.25
        workers = [start_worker(redis_url, site.url, store, "-s", f"MORGUE_SITE_DELAY={delay}") for _ in range(3)]
        try:
            # `morgue status` shows the workers while they crawl
            alive: set[str] = set()

            def all_seen() -> bool:
                alive.update(w for w, s in status(redis_url)["workers"].items() if s["alive"])
                return len(alive) == 3

            wait_for(all_seen, 40, "3 workers")
            shown = morgue("status", env=env(redis_url))
            assert shown.code == 0
            table = shown.stdout
            for proc in workers:
                assert f"-{proc.pid} " in table, table
            assert site.url.split("//")[1].replace(":", "_").rstrip("/") in table
            # the store's per-site lock is the crawl's: a single-machine run of the same site is refused
            single = crawl(site.url, store)
            assert single.code == 5, single.stderr
            assert "(a distributed crawl)" in single.last_line
            # a second site joins the running crawl
            added = morgue("enqueue", other.url, env=env(redis_url))
            assert added.code == 0, added.stderr
            outs = finish(workers, redis_url)
        finally:
            for proc in workers:
                proc.kill()
        for proc, (_, err) in zip(workers, outs, strict=True):
            assert proc.returncode == 0, err[-3000:]
            assert "DeprecationWarning" not in err, err

        # every article once: in the site's request log, in the WARC files, in the text records
        requested = collections.Counter(site.requested_paths())
        assert requested["/robots.txt"] == 1  # once per site and crawl, not once per worker
        assert all(requested[p] == 1 for p in expected), requested
        records = text_records(store)
        archived = paths(records, site)
        assert sorted(archived) == sorted(expected)
        responses = [r for r in warc_records(store) if r["type"] == "response"]
        captured = collections.Counter(r["headers"]["WARC-Target-URI"] for r in responses)
        assert all(captured[site.url.rstrip("/") + p] == 1 for p in expected), captured
        # each worker wrote its own files; the last one out released the lock
        assert not list(store.glob("locks/*.lock"))
        warc_names = {r["file"] for r in responses}
        assert len(warc_names) >= 2, warc_names

        # the enqueued site was crawled too
        assert set(paths(records, other)) == expected

        # the global rate limit: the site saw at most one request every `delay` seconds
        times = sorted(site.request_times)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert (len(times) - 1) / (times[-1] - times[0]) <= 1.1 / delay, gaps
        assert sorted(gaps)[len(gaps) // 10] >= delay * 0.8, gaps


def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path, redis_url):
    with NewsSite() as site:
        expected = baseline(tmp_path, site)
        slow_articles(site, 1.5)
        store = tmp_path / "archive"
        workers = [start_worker(redis_url, site.url, store, "-s", "MORGUE_SITE_DELAY=0", timeout=2) for _ in range(3)]
        try:
            def busy() -> dict | None:
                holding = {w: i for w, i in
                           ((w, s["in_flight"]) for w, s in status(redis_url)["workers"].items()) if i}
                return holding or None

            holding = wait_for(busy, 60, "a worker with requests in flight")
            victim = max(holding, key=holding.get)
            pid = int(victim.rsplit("-", 1)[1])
            os.kill(pid, signal.SIGKILL)
            survivors = [p for p in workers if p.pid != pid]
            outs = finish(survivors, redis_url)
        finally:
            for proc in workers:
                proc.kill()
                proc.wait()
        for proc, (_, err) in zip(survivors, outs, strict=True):
            assert proc.returncode == 0, err[-3000:]
            assert "DeprecationWarning" not in err, err
        said = "".join(err for _, err in outs)
        found = re.search(rf"Worker {victim} stopped beating: its (\d+) requests in flight are queued again", said)
        assert found and int(found.group(1)) >= 1, said[-3000:]
        # what the killed worker had fetched and finished waits in the spool: `morgue flush` uploads it
        flushed = morgue("flush", "--store", str(store))
        assert flushed.code == 0, flushed.stderr
        assert set(paths(text_records(store), site)) == expected
        assert not list(store.glob("locks/*.lock"))


def test_the_scheduler_keeps_what_a_worker_takes_until_it_is_done_and_requeues_a_dead_workers(redis_url):
    """In this process (Scrapy's deprecations are errors here): scrapy-redis's scheduler and dupefilter as adapted."""
    import redis
    from scrapy import Request, Spider
    from scrapy.settings import Settings

    from morgue.distributed import registry
    from morgue.distributed.adapter import INFLIGHT, RedisScheduler, distributed_settings
    from morgue.distributed.inflight import REQUEUE

    class News(Spider):
        name = "news"

        def parse_article(self, response):
            pass

    settings = Settings({"MORGUE_REDIS_URL": redis_url})
    distributed_settings(settings, "news.example.org")
    spider = News()
    spider.settings = settings
    scheduler = RedisScheduler.from_settings(settings)
    scheduler.open(spider)
    client = redis.Redis.from_url(redis_url)
    keys = registry.Keys("news.example.org")
    for n in (1, 2, 2, 3):  # one URL found twice: queued once
        scheduler.enqueue_request(Request(f"https://news.example.org/a/{n}", callback=spider.parse_article,
                                          priority=n, meta={"morgue_role": "link"}))
    assert client.zcard(keys.requests) == 3
    RedisScheduler.from_settings(settings).open(spider)  # a second worker joins a crawl with requests queued
    first = scheduler.next_request()
    assert first.url.endswith("/a/3") and first.callback == spider.parse_article  # the highest priority first
    assert registry.frontier(client, "news.example.org")["queued"] == 2
    assert client.hlen(keys.inflight(scheduler.worker)) == 1
    # a redirect or retry of a taken request is queued again, and the taken one is done
    scheduler.enqueue_request(first.replace(dont_filter=True))
    assert client.hlen(keys.inflight(scheduler.worker)) == 0 and client.zcard(keys.requests) == 3
    taken = [scheduler.next_request() for _ in range(3)]
    assert all(INFLIGHT in r.meta for r in taken) and scheduler.next_request() is None
    client.sadd(keys.workers, scheduler.worker)  # as the worker's extension does when it starts
    # and it took a seed, as the spider's start() does, before queueing the seed's first requests
    client.rpush(keys.seeds, "https://news.example.org/", "https://news.example.org/world/")
    assert client.lmove(keys.seeds, keys.seeds_taken(scheduler.worker), "LEFT", "RIGHT") == b"https://news.example.org/"
    counts = registry.frontier(client, "news.example.org")
    assert counts["in_flight"] == 4 and counts["seeds"] == 1  # the frontier is not empty
    # the worker dies: its requests go back to the queue and its seed to the front of the seeds, whoever runs it
    moved = client.register_script(REQUEUE)(keys=[keys.inflight(scheduler.worker), keys.requests,
                                                  keys.seeds_taken(scheduler.worker), keys.seeds])
    assert moved == 4 and client.zcard(keys.requests) == 3
    assert client.lrange(keys.seeds, 0, -1) == [b"https://news.example.org/", b"https://news.example.org/world/"]
    assert sorted(scheduler.next_request().url for _ in range(3)) == [
        f"https://news.example.org/a/{n}" for n in (1, 2, 3)]


def test_morgue_worker_waits_for_urls_takes_an_enqueued_site_and_ends_on_sigterm(tmp_path, redis_url):
    with NewsSite() as site:
        store = tmp_path / "archive"
        worker = subprocess.Popen(
            [sys.executable, *STRICT, "worker", "--store", str(store), *CRON],
            cwd=ROOT, env=env(redis_url, MORGUE_IDLE_EXIT="2"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            time.sleep(2)
            assert worker.poll() is None  # nothing to crawl: it waits
            added = morgue("enqueue", site.url, env=env(redis_url))
            assert added.code == 0 and "new crawl of" in added.stderr, added.stderr
            wait_for(lambda: len(text_records(store)) >= 5, 60, "the enqueued site's articles in the store")
            time.sleep(3)  # the site's frontier stays empty for longer than MORGUE_IDLE_EXIT...
            assert worker.poll() is None  # ...and the worker still waits for more
            worker.send_signal(signal.SIGTERM)
            _, err = worker.communicate(timeout=60)
        finally:
            worker.kill()
        assert worker.returncode == 6, err[-3000:]
        assert "DeprecationWarning" not in err
        assert status(redis_url)["workers"] == {}  # it left


def test_redis_lost_mid_crawl_one_line_exit_1_and_what_was_fetched_is_archived(tmp_path):
    server = RedisServer().start()
    store = tmp_path / "archive"
    try:
        with NewsSite() as site:
            slow_articles(site, 1.0)
            worker = start_worker(server.url, site.url, store)
            wait_for(lambda: len(site.requests) >= 6, 30, "the worker to fetch its first pages")
            server.stop()  # Redis goes away mid-crawl
            ((out, err),) = finish([worker], server.url, timeout=60)
    finally:
        server.stop()
    assert worker.returncode == 1, err[-3000:]
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"morgue: error: {site.url}: lost the Redis frontier (MORGUE_REDIS_URL={server.url})")
    assert "what this worker fetched is archived" in last
    assert err.count("Lost the Redis frontier") == 1  # said once, however many calls failed
    # what it fetched is in the store: its WARC with every response it got, and the text of its articles
    responses = {r["headers"]["WARC-Target-URI"] for r in warc_records(store) if r["type"] == "response"}
    assert {site.url + "robots.txt", site.url} <= responses
    assert {r["url"] for r in text_records(store)} <= responses
