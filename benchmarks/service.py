"""On-demand archiving: the service's latency and memory, and ``morgue save``'s wall time.

Usage: python benchmarks/service.py [--jobs N] [--in-flight K] [--saves M] [--repeat R]

Everything on loopback, against the local test site's article pages (``morgue.testsite``),
politeness and robots as the service has them by default; each submission a new URL
(``?n=I``), and ``MORGUE_SERVICE_RECENT=0`` so that nothing is answered from an earlier capture.

- latency: ``--jobs`` submissions (default 200), ``--in-flight`` at once (default 20); for each,
  ``POST /api/captures`` until ``GET /api/jobs/ID`` says done (polled every 20 ms): median and 95th
  percentile. Target: median ≤ 1 s, p95 ≤ 2 s.
- memory: ``--saves`` submissions one after another (default 1000); the service's RSS after the first
  100 and at the end. Target: the end within 10% of the first.
- ``morgue save`` of one URL, process start included, ``--repeat`` times (default 5): median. Target ≤ 3 s.

Needs nothing beyond morgue itself (RSS from ``/proc``: Linux).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from morgue.testsite import NewsSite  # noqa: E402

ARTICLE = "/2026/11/20/city-council-approves-new-budget/"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def save_one(service: str, url: str) -> float:
    started = time.perf_counter()
    job = call(service + "/api/captures", {"urls": [url]})["job"]
    while True:
        state = call(f"{service}/api/jobs/{job}")
        if state["state"] in ("done", "failed"):
            if state["state"] != "done":
                raise RuntimeError(f"job {job} failed: {state['results']}")
            return time.perf_counter() - started
        time.sleep(0.02)


def start_service(store: Path, site_port: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MORGUE_API_TOKEN", None)
    log = store.parent / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "morgue", "serve", "--port", "0", "--store", str(store),
         "-s", f"MORGUE_ALLOWED_NETWORKS=127.0.0.1:{site_port}", "-s", "MORGUE_SERVICE_RECENT=0",
         "-s", "MORGUE_SERVICE_RATE_LIMIT=1000000", "-s", "MORGUE_SERVICE_MAX_URLS=20", "-L", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))  # noqa: SIM115
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("morgue: serving on "):
                return proc, line.split()[3].rstrip("/")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the service did not start: {log.read_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=20)
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, NewsSite() as site:
        base = site.url.rstrip("/") + ARTICLE
        proc, service = start_service(Path(tmp) / "archive", int(site.url.rstrip("/").rsplit(":", 1)[1]))
        try:
            save_one(service, base + "?n=warmup")
            with ThreadPoolExecutor(args.in_flight) as pool:
                latencies = sorted(pool.map(lambda n: save_one(service, f"{base}?n={n}"), range(args.jobs)))
            p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
            median = statistics.median(latencies)
            print(f"latency: {args.jobs} saves, {args.in_flight} in flight: median {median:.3f} s,"
                  f" p95 {p95:.3f} s, max {latencies[-1]:.3f} s")
            first = None
            started = time.perf_counter()
            for n in range(args.saves):
                save_one(service, f"{base}?m={n}")
                if n + 1 == min(100, args.saves):
                    first = rss_mb(proc.pid)
            end = rss_mb(proc.pid)
            print(f"memory: {args.saves} saves in a row ({time.perf_counter() - started:.1f} s): RSS {first:.1f} MB "
                  f"after the first 100, {end:.1f} MB at the end ({(end / first - 1) * 100:+.1f}%)")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        times = []
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for n in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "morgue", "save", f"{base}?cli={n}", "--store",
                            str(Path(tmp) / "cli")], cwd=ROOT, env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        print(f"morgue save, one URL, process start included: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}) over {args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
