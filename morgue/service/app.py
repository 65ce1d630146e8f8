"""The HTTP side of ``morgue serve``: the JSON API, its OpenAPI document, and the web page.

An aiohttp application in the same asyncio loop as Scrapy. What guards it,
since it fetches what strangers ask for:

- ``MORGUE_API_TOKEN``: when set, every ``/api/`` request needs
  ``Authorization: Bearer TOKEN`` (the CLI refuses to listen beyond loopback without one);
- a rate limit per client address (``MORGUE_SERVICE_RATE_LIMIT`` submissions a minute),
  a cap on URLs per request (``MORGUE_SERVICE_MAX_URLS``) and on request size
  (``MORGUE_SERVICE_MAX_REQUEST_SIZE``); the page size cap is Scrapy's ``DOWNLOAD_MAXSIZE``;
- URLs are checked on submission (a URL at all; ``http``/``https``, ports 80 and 443,
  no literal private address: ``morgue.utils.ssrf``) and again for every hop when fetched;
- bad input is a 4xx with ``{"error": "..."}``, never a 500; an unforeseen failure is a
  500 with the same shape and no traceback;
- the page sets text with ``textContent`` only, under a Content-Security-Policy that runs
  no inline script: an archived title cannot run script in it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from aiohttp import web

from morgue.discovery.urls import BadURL
from morgue.discovery.urls import check_url as check_url_syntax
from morgue.service.jobs import JobRunner, JobStore, job_view
from morgue.service.openapi import openapi
from morgue.utils.ssrf import Allowed, RefusedAddress
from morgue.utils.ssrf import check_url as check_address

logger = logging.getLogger(__name__)

STATIC = files("morgue.service") / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8"}


@dataclass
class Limits:
    max_urls: int = 20
    max_request_size: int = 64 * 1024
    rate_limit: int = 60  # submissions a minute per client address


def error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers or None)


class Service:
    """What the handlers need: the jobs, the capture index, the store, the token and the limits."""

    def __init__(self, runner: JobRunner, jobs: JobStore, index, store, *, token: str = "",
                 limits: Limits | None = None, allowed: tuple[Allowed, ...] = ()):
        self.runner = runner
        self.jobs = jobs
        self.index = index
        self.store = store
        self.token = token
        self.limits = limits or Limits()
        self.allowed = allowed
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    # --- guards -------------------------------------------------------------------

    def limited(self, client: str) -> float:
        """Seconds until ``client`` may make another request (0: now), counting this one."""
        now = time.monotonic()
        hits = self._hits[client]
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= self.limits.rate_limit:
            return max(1.0, 60 - (now - hits[0]))
        hits.append(now)
        if len(self._hits) > 10000:  # forget clients idle for a minute
            for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - 60]:
                del self._hits[key]
        return 0.0

    def authorised(self, request: web.Request) -> bool:
        if not self.token:
            return True
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), self.token.encode())

    # --- the API --------------------------------------------------------------------

    async def submit(self, request: web.Request) -> web.Response:
        try:
            body = await request.json(loads=json.loads)
        except web.HTTPRequestEntityTooLarge:
            raise
        except (ValueError, UnicodeDecodeError):
            return error(400, "malformed JSON: send {\"urls\": [\"https://...\"]}")
        if not isinstance(body, dict) or not isinstance(body.get("urls"), list) or not body["urls"]:
            return error(400, "expected a JSON object with a non-empty list \"urls\"")
        urls = body["urls"]
        if len(urls) > self.limits.max_urls:
            return error(400, f"too many URLs: {len(urls)} (at most {self.limits.max_urls} a request)")
        checked = []
        for n, given in enumerate(urls):
            if not isinstance(given, str):
                return error(400, f"urls[{n}] is not a string")
            try:
                url = check_url_syntax(given)
                check_address(url, self.allowed)
            except (BadURL, RefusedAddress) as e:
                return error(400, f"urls[{n}]: {e}")
            checked.append(url)
        webhook = body.get("webhook")
        if webhook is not None:
            if not isinstance(webhook, str):
                return error(400, "webhook is not a string")
            try:
                webhook = check_url_syntax(webhook)
                check_address(webhook, self.allowed)
            except (BadURL, RefusedAddress) as e:
                return error(400, f"webhook: {e}")
        job_id = self.runner.submit(checked, webhook)
        return web.json_response({"job": job_id, "state": "queued"}, status=202,
                                 headers={"Location": f"/api/jobs/{job_id}"})

    async def job(self, request: web.Request) -> web.Response:
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return error(404, f"no job {request.match_info['job_id']!r}")
        return web.json_response(job_view(job))

    async def captures(self, request: web.Request) -> web.Response:
        url = request.query.get("url")
        try:
            limit = min(max(int(request.query.get("limit", "50")), 1), 500)
        except ValueError:
            return error(400, "limit must be a whole number")
        rows = self.index.of_url(url, limit) if url else self.index.latest(limit)
        return web.json_response({"captures": [summary(row) for row in rows]})

    async def capture(self, request: web.Request) -> web.Response:
        row = self.index.get(request.match_info["capture_id"])
        if row is None:
            return error(404, f"no capture {request.match_info['capture_id']!r}")
        return web.json_response({**summary(row), "record": row.get("record")})

    async def warc(self, request: web.Request) -> web.Response:
        row = self.index.get(request.match_info["capture_id"])
        if row is None:
            return error(404, f"no capture {request.match_info['capture_id']!r}")
        try:
            data = await asyncio.to_thread(self.store.read_range, row["warc_key"], row["warc_offset"],
                                           row["warc_length"])
        except Exception as e:  # noqa: BLE001 - the store's failure, said in one line
            logger.error("Cannot read capture %s from the store: %s", row["capture_id"], e)
            return error(503, "the capture cannot be read from the store now")
        return web.Response(body=data, content_type="application/warc", headers={
            "Content-Disposition": f'attachment; filename="{row["capture_id"]}.warc.gz"'})

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(openapi())

    async def static(self, request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "index.html"
        resource = STATIC / name
        suffix = "." + name.rsplit(".", 1)[-1]
        if "/" in name or suffix not in CONTENT_TYPES or not resource.is_file():
            return error(404, f"no page {name!r}")
        return web.Response(body=resource.read_bytes(), headers={"Content-Type": CONTENT_TYPES[suffix]})


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """A capture's metadata, without its text."""
    record = row.get("record") or {}
    return {name: row.get(name) for name in (
        "capture_id", "url", "final_url", "status", "saved_at", "fetched_at", "warc_filename", "warc_key",
        "warc_offset", "warc_length", "warc_record_id", "title", "error")} | {
        "word_count": record.get("word_count"), "language": record.get("language"),
        "published": record.get("published"), "author": record.get("author")}


@web.middleware
async def guard(request: web.Request, handler) -> web.StreamResponse:
    """Errors as JSON, security headers, then the token and the rate limit on ``/api/``."""
    service: Service = request.app["service"]
    try:
        if request.path.startswith("/api/"):
            if not service.authorised(request):
                return error(401, "missing or wrong API token: send Authorization: Bearer TOKEN",
                             **{"WWW-Authenticate": "Bearer"})
            # Submissions are what costs (each is a fetch); reads, such as the page's polling, are cheap.
            wait = service.limited(request.remote or "?") if request.method == "POST" else 0
            if wait:
                return error(429, "too many requests: slow down", **{"Retry-After": str(int(wait) + 1)})
        response = await handler(request)
    except web.HTTPException as e:  # aiohttp's own 404, 405, 413: JSON like the rest
        if e.status < 400:
            raise
        response = error(e.status, e.reason)
    except Exception:  # never a traceback to a client
        logger.exception("Error answering %s %s", request.method, request.path)
        response = error(500, "internal error")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def build_app(service: Service) -> web.Application:
    app = web.Application(middlewares=[guard], client_max_size=service.limits.max_request_size)
    app["service"] = service
    app.router.add_post("/api/captures", service.submit)
    app.router.add_get("/api/captures", service.captures)
    app.router.add_get("/api/captures/{capture_id}", service.capture)
    app.router.add_get("/api/captures/{capture_id}/warc", service.warc)
    app.router.add_get("/api/jobs/{job_id}", service.job)
    app.router.add_get("/openapi.json", service.openapi)
    app.router.add_get("/", service.static)
    app.router.add_get("/static/{name}", service.static)
    return app
