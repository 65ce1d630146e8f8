"""``morgue status``: the distributed crawl's frontier, per site and per worker.

Per site: requests queued, in flight (taken by a worker, not finished), seeds
not yet read, URLs seen (fingerprints), live workers and pages per minute over
the last minutes. Per worker: whether its heartbeat is alive, the requests it
holds and its pages per minute. ``--json`` prints the same as one object.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any


def add_parser(sub) -> None:
    p = sub.add_parser("status", help="the distributed crawl: queued and in-flight requests, workers, pages/min",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="MORGUE_REDIS_URL=... and the like")
    p.set_defaults(func="status")


def pages_per_minute(client: Any, key: str) -> dict[str, float]:
    """Pages finished per minute by each worker, over the last full minute and the current one."""
    now = time.time()
    minute = int(now // 60)
    elapsed = 60 + (now - minute * 60)
    totals: dict[str, float] = {}
    for m in (minute - 1, minute):
        for worker, count in client.hgetall(f"{key}:{m}").items():
            totals[worker.decode()] = totals.get(worker.decode(), 0) + int(count)
    return {w: round(c * 60 / elapsed, 1) for w, c in totals.items()}


def collect(client: Any) -> dict:
    from morgue.distributed import registry
    from morgue.distributed.registry import Keys

    workers: dict[str, dict] = {}
    for worker, raw in client.hgetall(registry.WORKERS).items():
        info = json.loads(raw)
        ttl = client.ttl(registry.worker_key(worker.decode()))
        workers[worker.decode()] = {**info, "alive": ttl > 0, "in_flight": 0, "pages_per_minute": 0.0, "sites": []}
    sites = {}
    for site in registry.sites(client):
        counts = registry.frontier(client, site)
        live = registry.live_workers(client, site)
        rates = pages_per_minute(client, Keys(site).pages)
        by_worker = counts.pop("in_flight_by_worker")
        for worker in set(by_worker) | set(rates):
            entry = workers.setdefault(worker, {"alive": False, "in_flight": 0, "pages_per_minute": 0.0,
                                                "sites": []})
            entry["in_flight"] += by_worker.get(worker, 0)
            entry["pages_per_minute"] = round(entry["pages_per_minute"] + rates.get(worker, 0.0), 1)
            entry["sites"].append(site)
        sites[site] = {**counts, "workers": len(live), "pages_per_minute": round(sum(rates.values()), 1)}
    return {"sites": sites, "workers": workers}


def run(args: argparse.Namespace) -> int:
    from morgue.cli.common import EXIT_OK, settings_from_args
    from morgue.distributed.runner import client_or_fail

    client = client_or_fail(settings_from_args(args))
    status = collect(client)
    if args.json:
        print(json.dumps(status, indent=1, sort_keys=True))
        return EXIT_OK
    print(f"{'site':<32} {'queued':>8} {'in flight':>9} {'seeds':>6} {'seen':>9} {'workers':>7} {'pages/min':>9}")
    for site, s in sorted(status["sites"].items()):
        print(f"{site:<32} {s['queued']:>8} {s['in_flight']:>9} {s['seeds']:>6} {s['seen']:>9} "
              f"{s['workers']:>7} {s['pages_per_minute']:>9}")
    if not status["sites"]:
        print("(no site is being crawled)")
    print()
    print(f"{'worker':<32} {'alive':>5} {'in flight':>9} {'pages/min':>9}  sites")
    for worker, w in sorted(status["workers"].items()):
        print(f"{worker:<32} {'yes' if w['alive'] else 'no':>5} {w['in_flight']:>9} {w['pages_per_minute']:>9}  "
              f"{','.join(w['sites'])}")
    if not status["workers"]:
        print("(no worker)")
    return EXIT_OK
