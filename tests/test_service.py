"""``morgue serve``: the API end to end against the real server process, on loopback only."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT, text_records
from warcio.archiveiterator import ArchiveIterator

from morgue.testsite.articles import PDF_PATH

ARTICLE = "/2026/11/20/city-council-approves-new-budget/"
OTHER_ARTICLE = "/2026/11/19/offshore-wind-farm-wins-approval/"


class Server:
    """The real ``morgue serve`` in a child process, on a free port of 127.0.0.1."""

    def __init__(self, store: Path, *args: str, env: dict | None = None):
        self.store = store
        self.log = store.parent / f"serve-{time.monotonic_ns()}.log"
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
        full_env = {**os.environ, "PYTHONPATH": path, **(env or {})}
        for name in ("MORGUE_STORE", "MORGUE_API_TOKEN", "MORGUE_ALLOWED_NETWORKS"):
            if name not in (env or {}):
                full_env.pop(name, None)
        self.stderr = open(self.log, "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "morgue", "serve", "--port", "0", "--store", str(store), *args],
            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.url = ""

    def wait_ready(self, timeout: float = 20) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text()
            for line in text.splitlines():
                if line.startswith("morgue: serving on "):
                    self.url = line.split()[3].rstrip("/")
                    return self
            if self.proc.poll() is not None:
                raise AssertionError(f"the service exited {self.proc.returncode}: {text}")
            time.sleep(0.05)
        raise AssertionError(f"the service did not start: {self.log.read_text()}")

    def request(self, method: str, path: str, body: bytes | dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
        status, _, data = self.request(method, path, body, headers)
        return status, json.loads(data)

    def wait_job(self, job: str, timeout: float = 15, headers: dict | None = None) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.json("GET", f"/api/jobs/{job}", headers=headers)
            assert status == 200, body
            if body["state"] in ("done", "failed"):
                return body
            time.sleep(0.05)
        raise AssertionError(f"job {job} still {body['state']}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


@pytest.fixture
def serve(tmp_path):
    started: list[Server] = []

    def start(site_port: int | None = None, *args: str, env: dict | None = None, store: Path | None = None):
        allowed = [f"127.0.0.1:{site_port}"] if site_port else []
        extra = ["-s", f"MORGUE_ALLOWED_NETWORKS={','.join(allowed)}"] if allowed else []
        server = Server(store or tmp_path / "archive", *extra, *args, env=env)
        started.append(server)
        return server.wait_ready()

    yield start
    for server in started:
        server.stop()


def port_of(url: str) -> int:
    return int(url.rstrip("/").rsplit(":", 1)[1])


def test_api_end_to_end(site, serve, tmp_path):
    server = serve(port_of(site.url))
    base = site.url.rstrip("/")
    started = time.monotonic()
    status, body = server.json("POST", "/api/captures", {"urls": [base + ARTICLE, base + "/missing/"]})
    assert status == 202 and time.monotonic() - started < 2  # answered at once, before the fetch
    job = server.wait_job(body["job"])
    assert job["state"] == "failed"  # one URL of two failed: the job says so, per URL
    article, missing = job["results"]
    assert article["error"] is None and article["status"] == 200 and article["capture_id"]
    assert article["title"] == "City council approves new budget"
    assert missing["status"] == 404 and missing["error"] == "HTTP 404"

    status, capture = server.json("GET", f"/api/captures/{article['capture_id']}")
    assert status == 200
    assert capture["record"]["text"].startswith("Councillors voted nine to four")
    assert capture["record"]["url"] == base + ARTICLE
    assert capture["record"] in text_records(tmp_path / "archive")  # the same text record as in the store

    status, headers, data = server.request("GET", f"/api/captures/{article['capture_id']}/warc")
    assert status == 200 and headers["Content-Type"] == "application/warc"
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    assert record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == base + ARTICLE
    assert record.rec_headers.get_header("WARC-Record-ID") == f"<urn:uuid:{article['capture_id']}>"

    # a repeated submission within the window gives the recent capture, without fetching again
    fetches = site.requested_paths().count(ARTICLE)
    status, body = server.json("POST", "/api/captures", {"urls": [base + ARTICLE]})
    again = server.wait_job(body["job"])
    assert again["state"] == "done" and again["results"][0]["capture_id"] == article["capture_id"]
    assert again["results"][0]["recent"] is True
    assert site.requested_paths().count(ARTICLE) == fetches

    status, listed = server.json("GET", "/api/captures?url=" + urllib.request.quote(base + ARTICLE, safe=""))
    assert [c["capture_id"] for c in listed["captures"]] == [article["capture_id"]]

    status, doc = server.json("GET", "/openapi.json")
    assert doc["openapi"].startswith("3.") and {"/api/captures", "/api/jobs/{job_id}",
                                                "/api/captures/{capture_id}/warc"} <= set(doc["paths"])


def test_job_reasons_pdf_and_robots(site, serve):
    server = serve(port_of(site.url))
    base = site.url.rstrip("/")
    _, body = server.json("POST", "/api/captures", {"urls": [base + PDF_PATH, base + "/private/secret-article/"]})
    pdf, private = server.wait_job(body["job"])["results"]
    assert pdf["error"].startswith("not HTML (application/pdf)") and pdf["capture_id"]
    assert private["error"] == "forbidden by robots.txt"


@pytest.mark.parametrize(("body", "status", "error"), [
    (b"{not json", 400, "malformed JSON"),
    (b"[1, 2]", 400, "expected a JSON object"),
    (b'{"urls": []}', 400, "expected a JSON object with a non-empty list"),
    (b'{"urls": ["not a url"]}', 400, "urls[0]: invalid URL 'not a url'"),
    (b'{"urls": [42]}', 400, "urls[0] is not a string"),
    (json.dumps({"urls": [f"https://example.org/{n}" for n in range(21)]}).encode(), 400, "too many URLs: 21"),
    (json.dumps({"urls": ["https://example.org/" + "x" * 70000]}).encode(), 413, "Request Entity Too Large"),
    (b'{"urls": ["http://169.254.169.254/latest/meta-data/"]}', 400, "cloud metadata"),
    (b'{"urls": ["file:///etc/passwd"]}', 400, "only http and https"),
    (b'{"urls": ["https://example.org/"], "webhook": "http://10.0.0.1/hook"}', 400, "webhook: refused"),
])
def test_bad_input_is_a_json_4xx(serve, body, status, error):
    server = serve()
    got, data = server.json("POST", "/api/captures", body, {"Content-Type": "application/json"})
    assert got == status and error in data["error"]


def test_unknown_things_are_json_404s(serve):
    server = serve()
    assert server.json("GET", "/api/jobs/nope") == (404, {"error": "no job 'nope'"})
    assert server.json("GET", "/api/captures/nope") == (404, {"error": "no capture 'nope'"})
    assert server.json("GET", "/api/captures/nope/warc")[0] == 404
    assert server.json("GET", "/api/captures?limit=many")[0] == 400
    status, body = server.json("DELETE", "/api/captures")
    assert status == 405 and body["error"]
    status, body = server.json("GET", "/static/../../etc/passwd")
    assert status == 404 and body["error"]


class _Logged(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.log.append(self.path)
        delay = self.server.delay
        if delay and self.path != "/robots.txt":
            time.sleep(delay)
        target = self.server.redirects.get(self.path)
        self.send_response(302 if target else 404 if self.path == "/robots.txt" else 200)
        if target:
            self.send_header("Location", target)
        else:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        if not target:
            self.wfile.write(self.server.page)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.server.posts.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local():
    started = []

    def start(page: bytes = b"<html><head><title>Hi</title></head><body><p>hello</p></body></html>",
              delay: float = 0) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Logged)
        server.log, server.posts, server.redirects, server.page, server.delay = [], [], {}, page, delay
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def test_ssrf_other_ports_and_redirect_hops_refused_with_no_connection(local, serve):
    site, other = local(), local()
    site_port, other_port = site.server_address[1], other.server_address[1]
    site.redirects["/go"] = f"http://127.0.0.1:{other_port}/secret"
    site.redirects["/go-name"] = f"http://localhost:{other_port}/secret"
    server = serve(site_port)
    for url in (f"http://127.0.0.1:{other_port}/secret", f"http://127.0.0.2:{site_port}/",
                f"http://2130706433:{other_port}/", f"http://[::ffff:127.0.0.1]:{other_port}/",
                f"http://localhost:{other_port}/"):
        status, body = server.json("POST", "/api/captures", {"urls": [url]})
        assert status == 400 and "refused" in body["error"], url
    _, body = server.json("POST", "/api/captures", {"urls": [f"http://127.0.0.1:{site_port}/go",
                                                             f"http://127.0.0.1:{site_port}/go-name"]})
    job = server.wait_job(body["job"])
    assert job["state"] == "failed"
    assert job["results"][0]["error"] == (f"refused http://127.0.0.1:{other_port}/secret: port {other_port} "
                                          "is not allowed (only 80 and 443)")
    assert job["results"][1]["error"].startswith(f"refused http://localhost:{other_port}/secret")
    assert job["results"][0]["status"] == 302  # the hop on the allowed site is archived
    assert other.log == []  # the other server never saw a connection
    assert "/go" in site.log


def test_token_required_beyond_loopback_and_checked(serve, tmp_path):
    refused = Server(tmp_path / "a", "--host", "0.0.0.0")
    assert refused.proc.wait(timeout=20) == 2
    refused.stop()
    assert "refusing to listen on 0.0.0.0 without MORGUE_API_TOKEN" in refused.log.read_text()

    server = serve(env={"MORGUE_API_TOKEN": "s3cret"})
    assert server.json("GET", "/api/captures")[0] == 401
    assert server.json("GET", "/api/captures", headers={"Authorization": "Bearer wrong"})[0] == 401
    assert server.json("GET", "/api/captures", headers={"Authorization": "Bearer s3cret"})[0] == 200
    assert server.request("GET", "/")[0] == 200  # the page itself holds nothing: it asks for the token


def test_rate_limit_per_client(serve):
    server = serve(None, "-s", "MORGUE_SERVICE_RATE_LIMIT=3")
    codes = [server.request("POST", "/api/captures", b"{}")[0] for _ in range(4)]
    assert codes == [400, 400, 400, 429]  # bad submissions count too
    status, headers, data = server.request("POST", "/api/captures", {"urls": ["https://example.org/"]})
    assert status == 429 and int(headers["Retry-After"]) >= 1 and json.loads(data)["error"]
    assert server.request("GET", "/api/captures")[0] == 200  # reads (the page's polling) are not limited


def test_queued_jobs_survive_a_restart(local, serve, tmp_path):
    slow = local(delay=1.5)
    port = slow.server_address[1]
    server = serve(port, "-s", "MORGUE_SERVICE_JOBS=1")
    jobs = [server.json("POST", "/api/captures", {"urls": [f"http://127.0.0.1:{port}/{n}"]})[1]["job"]
            for n in range(3)]
    deadline = time.monotonic() + 10
    while not slow.log[1:] and time.monotonic() < deadline:  # robots.txt, then the first page
        time.sleep(0.05)
    server.stop(signal.SIGKILL)  # no chance to finish anything
    again = serve(port, "-s", "MORGUE_SERVICE_JOBS=2")
    slow.delay = 0
    states = [again.wait_job(job)["state"] for job in jobs]
    assert states == ["done", "done", "done"]
    assert sorted({p for p in slow.log if p != "/robots.txt"}) == ["/0", "/1", "/2"]


def test_webhook_called_when_the_job_ends(local, serve):
    site, hook = local(), local()
    server = serve(site.server_address[1], "-s",
                   f"MORGUE_ALLOWED_NETWORKS=127.0.0.1:{site.server_address[1]},127.0.0.1:{hook.server_address[1]}")
    _, body = server.json("POST", "/api/captures", {
        "urls": [f"http://127.0.0.1:{site.server_address[1]}/a"],
        "webhook": f"http://127.0.0.1:{hook.server_address[1]}/hook"})
    server.wait_job(body["job"])
    deadline = time.monotonic() + 5
    while not hook.posts and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hook.posts[0]["job"] == body["job"] and hook.posts[0]["state"] == "done"
    assert server.json("GET", f"/api/jobs/{body['job']}")[1]["webhook_status"] == "204"


def test_sigterm_stops_cleanly(serve):
    server = serve()
    server.stop(signal.SIGTERM)
    assert server.proc.returncode == 0
    assert "morgue: stopping; unfinished jobs run again at the next start" in server.log.read_text()


@pytest.mark.parametrize(("setting", "message"), [
    ("MORGUE_ALLOWED_NETWORKS=10.0.0.0/40", "invalid MORGUE_ALLOWED_NETWORKS entry '10.0.0.0/40'"),
    ("MORGUE_SERVICE_JOBS=many", "invalid setting MORGUE_SERVICE_JOBS='many'"),
])
def test_bad_settings_stop_the_start_in_one_line(tmp_path, setting, message):
    server = Server(tmp_path / "archive", "-s", setting)
    assert server.proc.wait(timeout=20) == 2
    server.stop()
    lines = [line for line in server.log.read_text().splitlines() if line.startswith("morgue: error:")]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in server.log.read_text()


def test_page_size_cap(local, serve):
    site = local(page=b"<html><body>" + b"<p>words and words</p>" * 2000 + b"</body></html>")
    server = serve(site.server_address[1], "-s", "MORGUE_SERVICE_MAX_PAGE_SIZE=4096")
    _, body = server.json("POST", "/api/captures", {"urls": [f"http://127.0.0.1:{site.server_address[1]}/big"]})
    job = server.wait_job(body["job"])
    assert job["state"] == "failed"
    assert job["results"][0]["error"].startswith("too large"), job["results"][0]["error"]
