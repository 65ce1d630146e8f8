"""Scale-out over Redis (#22): pages per second with 1, 2 and 4 workers, Redis's cost per request and per URL.

Usage::

    python benchmarks/distributed.py                       # the README's figures (about 3 minutes)
    python benchmarks/distributed.py --hosts 4 --articles 25 --workers 1 2   # a quick look

Needs ``redis-server`` (Debian's package), started here on a free port.

The site: ``--hosts`` news sites on 127.0.0.2, 127.0.0.3, ... (loopback addresses Linux answers
without setup), each with robots.txt naming a sitemap of ``--articles`` small article pages,
and every answer sent after ``--latency`` seconds (200 ms): fetching, not CPU, is the limit, as
with real politeness delays. Every worker is ``morgue crawl --sites FILE --distributed`` with one
request at a time per site and worker (``CONCURRENT_REQUESTS=1``) and one extraction process.

Printed:

- pages per second (all requests the sites answered, over the span from the first to the last)
  with 1, 2 and 4 workers, and the scaling efficiency: rate(N) / (N × rate(1));
- the same sites crawled by one process without Redis (``--distributed`` off), for comparison,
  and with ``--baseline PATH`` (a checkout of morgue before this change) by that code too;
- Redis's cost per request, measured in one process against the same server: the dupefilter's
  check, the queue's push, the pop into the in-flight hash (one Lua script) and its removal;
- Redis's memory per queued request and per fingerprint (``MEMORY USAGE`` of 100,000 of each,
  made as the news spider makes article requests), extrapolated to 100 million URLs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "benchmarks"]
sys.path.insert(0, str(REPO))

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-11-{day:02d}T08:00:00Z"></head>
<body><header><a href="/">Home</a></header><article><h1>{title}</h1>
<time datetime="2026-11-{day:02d}T08:00:00Z">{day} November 2026</time>
{paragraphs}</article></body></html>"""
PARAGRAPH = ("<p>The council of {host} met on a grey morning to discuss story number {n}, and the members agreed "
             "that the harbour works, the new tram line and the library's longer hours would go ahead as planned, "
             "while the budget for the coming year keeps a reserve for the floods that have hit the river twice.</p>")


class Sites:
    """``hosts`` small news sites on 127.0.0.2.., all on one port, each answer after ``latency`` seconds."""

    def __init__(self, hosts: int, articles: int, latency: float):
        self.hosts = [f"127.0.0.{2 + i}" for i in range(hosts)]
        self.articles = articles
        self.latency = latency
        self.times: list[float] = []
        self.lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.servers = []

    def page(self, host: str, path: str) -> tuple[int, str, bytes]:
        base = f"http://{host}:{self.port}"
        if path == "/robots.txt":
            return 200, "text/plain", f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()
        if path == "/sitemap.xml":
            urls = "".join(f"<url><loc>{base}/2026/11/story-{n}/</loc></url>" for n in range(self.articles))
            return 200, "application/xml", (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>").encode()
        if path == "/":
            return 200, "text/html", b"<!doctype html><html><head><title>News</title></head><body>News</body></html>"
        if path.startswith("/2026/11/story-"):
            n = int(path.rstrip("/").rsplit("-", 1)[1])
            body = ARTICLE.format(title=f"Story {n} of {host}", day=1 + n % 28,
                                  paragraphs="".join(PARAGRAPH.format(host=host, n=n) for _ in range(6)))
            return 200, "text/html; charset=utf-8", body.encode()
        return 404, "text/html", b"<html><body>Not found</body></html>"

    def start(self) -> Sites:
        sites = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with sites.lock:
                    sites.times.append(time.monotonic())
                time.sleep(sites.latency)
                status, kind, body = sites.page(self.server.server_address[0], self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        for host in self.hosts:
            server = ThreadingHTTPServer((host, self.port), Handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def sites_toml(self, path: Path) -> Path:
        path.write_text("".join(f'[[site]]\nurl = "http://{h}:{self.port}/"\n\n' for h in self.hosts))
        return path

    def rate(self) -> tuple[int, float]:
        times = sorted(self.times)
        return len(times), (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def start_redis() -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed: apt-get install redis-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL)
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    sys.exit("redis-server did not start")


FLAGS = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=1",
         "-s", "MORGUE_EXTRACT_WORKERS=1", "-s", "MORGUE_FEED_PATHS=False", "-s", "MORGUE_REPORTS_ENABLED=False"]


def crawl(args: argparse.Namespace, workers: int, redis_url: str | None, repo: Path = REPO) -> dict:
    import redis

    sites = Sites(args.hosts, args.articles, args.latency).start()
    with tempfile.TemporaryDirectory() as tmp:
        toml = sites.sites_toml(Path(tmp) / "sites.toml")
        env = {**os.environ, "PYTHONPATH": str(repo), "MORGUE_IDLE_EXIT": "3"}
        command = [sys.executable, "-m", "morgue", "crawl", "--sites", str(toml), "--store", f"{tmp}/archive", *FLAGS]
        if redis_url:
            redis.Redis.from_url(redis_url).flushdb()
            env["MORGUE_REDIS_URL"] = redis_url
            command.append("--distributed")
        started = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        procs = [subprocess.Popen(command, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) for _ in range(workers)]
        errors = [p.communicate()[1] for p in procs]
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers and their extraction processes
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        sites.stop()
        for proc, err in zip(procs, errors, strict=True):
            if proc.returncode != 0:
                sys.exit(f"a worker failed ({proc.returncode}):\n{err[-3000:]}")
        pages, rate = sites.rate()
        return {"workers": workers, "pages": pages, "rate": rate, "wall": wall, "cpu_ms": cpu * 1000 / pages,
                "busy": cpu / wall / (os.cpu_count() or 1)}


def redis_costs(url: str, count: int) -> dict:
    """Per request: dupefilter + push + pop into in-flight + done (ms); memory per queued request and fingerprint."""
    import redis
    from scrapy import Request, Spider
    from scrapy.settings import Settings

    from morgue.distributed.adapter import RedisScheduler, distributed_settings
    from morgue.distributed.registry import Keys

    client = redis.Redis.from_url(url)
    client.flushdb()

    class News(Spider):
        name = "news"

        def parse_article(self, response):  # a callback by name, as the news spider's
            pass

    settings = Settings({"MORGUE_REDIS_URL": url})
    distributed_settings(settings, "bench.example.org")
    spider = News()
    spider.settings = settings
    scheduler = RedisScheduler.from_settings(settings)
    scheduler.open(spider)
    base = "https://news.example.org/2026/11/25/a-story-with-a-longish-slug-for-the-url"
    requests = [Request(f"{base}-{k}/", callback=spider.parse_article, priority=5, meta={
        "morgue_role": "news-sitemap", "morgue_depth": 1, "morgue_key": f"{base}-{k}/",
        "morgue_discovery": {"via": "news-sitemap", "from": "https://news.example.org/news-sitemap.xml",
                             "entry": {"lastmod": "2026-11-25T09:19:02+00:00", "title": f"Story {k} of the day"}}})
        for k in range(count)]
    started = time.perf_counter()
    for request in requests:
        scheduler.enqueue_request(request)
    enqueue = time.perf_counter() - started
    keys = Keys("bench.example.org")
    queue_bytes = client.memory_usage(keys.requests, samples=0)
    fingerprint_bytes = client.memory_usage(keys.dupefilter, samples=0)
    used_before = int(client.info("memory")["used_memory"])
    started = time.perf_counter()
    tokens = []
    while (request := scheduler.next_request()) is not None:
        tokens.append(request.meta["morgue_inflight"])
    pop = time.perf_counter() - started
    started = time.perf_counter()
    for token in tokens:
        client.hdel(keys.inflight(scheduler.worker), token)
    done = time.perf_counter() - started
    used_after = int(client.info("memory")["used_memory"])
    client.flushdb()
    return {"count": count, "enqueue_ms": enqueue * 1000 / count, "pop_ms": pop * 1000 / count,
            "done_ms": done * 1000 / count, "queued_bytes": queue_bytes / count,
            "fingerprint_bytes": fingerprint_bytes / count, "queue_freed_bytes": (used_before - used_after) / count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=6)
    parser.add_argument("--articles", type=int, default=40, help="articles per host")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--requests", type=int, default=100_000, help="requests for the Redis measurements")
    parser.add_argument("--baseline", type=Path, help="a checkout of morgue before #22, for the single-machine crawl")
    args = parser.parse_args()
    redis_proc, url = start_redis()
    try:
        costs = redis_costs(url, args.requests)
        print(f"Redis per request ({costs['count']:,} requests, one process, loopback): "
              f"dupefilter+push {costs['enqueue_ms']:.3f} ms, pop into in-flight {costs['pop_ms']:.3f} ms, "
              f"done {costs['done_ms']:.3f} ms; total "
              f"{costs['enqueue_ms'] + costs['pop_ms'] + costs['done_ms']:.3f} ms")
        per_url = costs["fingerprint_bytes"]
        queued = costs["queued_bytes"]
        print(f"Redis memory: {queued:.0f} bytes per queued request, {per_url:.0f} bytes per fingerprint")
        print(f"  100 million URLs: fingerprints {per_url * 1e8 / 2**30:.1f} GiB; if all were queued at once, "
              f"the queue {queued * 1e8 / 2**30:.1f} GiB more")
        print(f"Sites: {args.hosts} hosts x ({args.articles} articles + robots.txt, sitemap, home page), "
              f"{args.latency * 1000:.0f} ms per answer")
        single = crawl(args, 1, None)
        print(f"  single machine, no Redis: {single['pages']} pages, {single['rate']:.1f} pages/s, "
              f"CPU {single['cpu_ms']:.1f} ms/page")
        if args.baseline:
            before = crawl(args, 1, None, args.baseline)
            print(f"  single machine, no Redis, before #22 ({args.baseline}): {before['pages']} pages, "
                  f"{before['rate']:.1f} pages/s, CPU {before['cpu_ms']:.1f} ms/page")
        one = None
        for n in args.workers:
            result = crawl(args, n, url)
            one = one or result["rate"] / n
            print(f"  {n} worker{'s' if n > 1 else ' '} over Redis: {result['pages']} pages, "
                  f"{result['rate']:.1f} pages/s, scaling efficiency {result['rate'] / (n * one):.2f}, "
                  f"CPU {result['cpu_ms']:.1f} ms/page; wall {result['wall']:.1f} s with start-up and the 3 s "
                  f"idle exit, cores busy over it {result['busy']:.2f}")
    finally:
        redis_proc.terminate()
        redis_proc.wait()


if __name__ == "__main__":
    main()
