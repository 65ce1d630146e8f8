"""``morgue serve``: the on-demand archiving service (JSON API and web page) in one process.

Jobs run as small crawls of the save spider in the same event loop as the
HTTP server, a bounded number at once, persisted in the spool so a restart
resumes them. The service's address rules (``morgue.utils.ssrf``) are always
on; without ``MORGUE_API_TOKEN`` it listens on loopback only.

Settings (``-s`` or the environment): ``MORGUE_API_TOKEN``, ``MORGUE_ALLOWED_NETWORKS``,
``MORGUE_SERVICE_JOBS`` (4: jobs at once), ``MORGUE_SERVICE_RECENT`` (300: seconds
within which a URL saved before is answered with that capture),
``MORGUE_SERVICE_MAX_URLS`` (20), ``MORGUE_SERVICE_MAX_REQUEST_SIZE`` (65536 bytes),
``MORGUE_SERVICE_RATE_LIMIT`` (60 submissions a minute per client address),
``MORGUE_SERVICE_MAX_PAGE_SIZE`` (16 MB: Scrapy's ``DOWNLOAD_MAXSIZE`` for the service).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import signal
import socket
import sys

from morgue.cli.common import EXIT_OK, EXIT_USAGE, fail, settings_from_args, unexpected
from morgue.config import number

logger = logging.getLogger(__name__)

ENVIRONMENT = ("MORGUE_API_TOKEN", "MORGUE_ALLOWED_NETWORKS")


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="the on-demand archiving service: a JSON API and a web page",
                       description=__doc__.split("\n\n")[0].replace("``", ""))
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                                                       "any other needs MORGUE_API_TOKEN)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
    p.add_argument("--spool", help="local folder for files waiting for upload (default: the store's)")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="any Scrapy or MORGUE_* setting")
    p.add_argument("-L", "--loglevel", help="log level (default INFO)")
    p.set_defaults(func="serve")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the crawler process starts: a taken port is a one-line error."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(128)
    sock.setblocking(False)
    return sock


def serve(settings, host: str, port: int) -> int:
    from scrapy.crawler import AsyncCrawlerProcess

    from morgue.cli.crawl import prepare
    from morgue.service.app import Limits, Service, build_app
    from morgue.service.captures import CaptureIndex, index_path
    from morgue.service.jobs import JobRunner, JobStore
    from morgue.service.webhooks import notifier
    from morgue.spiders.save import SaveSpider
    from morgue.store import store_from_settings
    from morgue.store.spool import spool_from_settings
    from morgue.utils.ssrf import apply_guard, parse_allowed

    for name in ENVIRONMENT:
        if not settings.get(name) and os.environ.get(name):
            settings.set(name, os.environ[name], priority="cmdline")
    token = str(settings.get("MORGUE_API_TOKEN") or "").strip()
    if not token and not is_loopback(host):
        return fail(f"refusing to listen on {host} without MORGUE_API_TOKEN: anyone who reaches it could make "
                    "this machine fetch what they ask; set MORGUE_API_TOKEN or listen on 127.0.0.1")
    try:
        allowed = parse_allowed(settings.get("MORGUE_ALLOWED_NETWORKS"))
        apply_guard(settings)
        concurrency = number(settings, "MORGUE_SERVICE_JOBS", 4, minimum=1)
        recent = number(settings, "MORGUE_SERVICE_RECENT", 300.0, float, minimum=0)
        limits = Limits(max_urls=number(settings, "MORGUE_SERVICE_MAX_URLS", 20, minimum=1),
                        max_request_size=number(settings, "MORGUE_SERVICE_MAX_REQUEST_SIZE", 65536, minimum=1024),
                        rate_limit=number(settings, "MORGUE_SERVICE_RATE_LIMIT", 60, minimum=1))
        page_size = number(settings, "MORGUE_SERVICE_MAX_PAGE_SIZE", 16 * 1024 * 1024, minimum=1024)
    except ValueError as e:
        return fail(str(e))
    settings.set("DOWNLOAD_MAXSIZE", page_size, priority="cmdline")
    settings.set("DOWNLOAD_WARNSIZE", 0, priority="cmdline")
    prepare(settings)
    try:
        sock = listen(host, port)
    except OSError as e:
        return fail(f"cannot listen on {host}:{port}: {e.strerror or e}")

    store = store_from_settings(settings)
    service_dir = spool_from_settings(settings, store).root
    index = CaptureIndex(index_path(service_dir))
    jobs = JobStore(index_path(service_dir).with_name("jobs.sqlite"))
    process = AsyncCrawlerProcess(settings)

    async def crawl(urls: list[str]) -> list[dict]:
        crawler = process.create_crawler(SaveSpider)
        await process.crawl(crawler, urls=urls)
        return crawler.spider.results

    runner = JobRunner(jobs, index, store, crawl, concurrency=concurrency, recent=recent,
                       notify=notifier(jobs, allowed))
    service = Service(runner, jobs, index, store, token=token, limits=limits, allowed=allowed)
    failures: list[BaseException] = []

    async def start() -> None:
        from aiohttp import web

        try:
            app_runner = web.AppRunner(build_app(service), access_log=None)
            await app_runner.setup()
            await web.SockSite(app_runner, sock).start()
            runner.start()
        except Exception as e:  # noqa: BLE001 - said in one line once the loop stops
            failures.append(e)
            stop_loop()
            return
        loop = asyncio.get_running_loop()

        def on_signal(signum, frame) -> None:
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(shutdown(app_runner)))

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, on_signal)
        bound = sock.getsockname()
        shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        print(f"morgue: serving on http://{shown}:{bound[1]}/ (store {store.uri})", file=sys.stderr, flush=True)

    stopping: list[bool] = []

    async def shutdown(app_runner) -> None:
        """Ctrl-C or SIGTERM: stop taking requests, stop the crawls (their files are finished and
        uploaded); jobs not finished stay queued or running in the database and run at the next start."""
        if stopping:
            return
        stopping.append(True)
        print("morgue: stopping; unfinished jobs run again at the next start", file=sys.stderr, flush=True)
        await app_runner.cleanup()
        await runner.stop()
        await process.stop()
        stop_loop()

    def stop_loop() -> None:
        from twisted.internet import reactor

        reactor.stop()

    from twisted.internet import reactor

    reactor.callWhenRunning(lambda: asyncio.ensure_future(start()))
    process.start(stop_after_crawl=False, install_signal_handlers=False)
    index.close()
    jobs.close()
    if failures:
        return unexpected(failures[0], False)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    if not 0 <= args.port < 65536:
        return fail(f"invalid --port {args.port}: 0 to 65535", EXIT_USAGE)
    return serve(settings, args.host, args.port)

