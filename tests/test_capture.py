"""What the WARC keeps of each exchange: header bytes as received, the client's limits, the time.

The servers here are bare sockets, so each answer goes out as exactly the bytes a test wrote
(odd case, Latin-1, folded lines, chunks) and each request is logged as exactly the bytes that came in.
"""

from __future__ import annotations

import math
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastwarc.warc import ArchiveIterator as FastArchiveIterator
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import crawl, warc_files

if TYPE_CHECKING:
    from typing_extensions import Self

Answer = bytes | Callable[[bytes], bytes]


def reply(status: bytes, *headers: bytes, body: bytes = b"", length: bool = True) -> bytes:
    """A response as raw bytes: ``status`` line, ``headers`` lines verbatim, then the body."""
    lines = [b"HTTP/1.1 " + status, *headers]
    if length:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


NOT_FOUND = reply(b"404 Not Found", b"Content-Type: text/plain", body=b"no")


class Hangup(bytes):
    """An answer after which the server closes the connection."""


class RawServer:
    """HTTP/1.1 over bare sockets on 127.0.0.1: each path answered with the bytes given.

    ``log`` holds ``(time answered, path, request bytes)`` for every request, in order.
    """

    def __init__(self, routes: dict[str, Answer]):
        self.routes = routes
        self.log: list[tuple[float, bytes, bytes]] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.conns: list[socket.socket] = []

    def __enter__(self) -> Self:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        data = b""
        try:
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(data) < length:
                    data += conn.recv(65536)
                request, data = head + b"\r\n\r\n" + data[:length], data[length:]
                path = head.split(b" ")[1]
                answer = self.routes.get(path.decode("latin-1"), NOT_FOUND)
                out = answer(request) if callable(answer) else answer
                self.log.append((time.time(), path, request))
                conn.sendall(out)
                if isinstance(answer, Hangup):
                    conn.close()
                    return
        except OSError:
            return

    def requests_for(self, path: bytes) -> list[bytes]:
        return [raw for _, p, raw in self.log if p == path]


def blocks(store: Path) -> list[dict]:
    """Every record, its HTTP block unparsed: the bytes as stored."""
    out = []
    for path in warc_files(store):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, no_record_parse=True):
                out.append({"type": rec.rec_type, "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                            "date": rec.rec_headers.get_header("WARC-Date"),
                            "id": rec.rec_headers.get_header("WARC-Record-ID"),
                            "to": rec.rec_headers.get_header("WARC-Concurrent-To"),
                            "truncated": rec.rec_headers.get_header("WARC-Truncated"),
                            "block": rec.raw_stream.read()})
    return out


def http_block(record: dict) -> tuple[bytes, bytes]:
    head, _, body = record["block"].partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", body


def response_for(store: Path, url: str) -> dict:
    found = [r for r in blocks(store) if r["type"] == "response" and r["uri"] == url]
    assert len(found) == 1, (url, [r["uri"] for r in blocks(store)])
    return found[0]


def assert_every_reader_reads_it(store: Path) -> None:
    """warcio, cdxj-indexer and FastWARC read every record, and the digests hold."""
    files = warc_files(store)
    assert files
    for path in files:
        check = subprocess.run(["warcio", "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        with open(path, "rb") as f:
            records = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(f)]
        index = subprocess.run(["cdxj-indexer", "--records", "all", str(path)], capture_output=True, text=True)
        assert index.returncode == 0 and not index.stderr, index.stderr
        assert sum(1 for line in index.stdout.splitlines() if line.strip()) == len(records)
        with open(path, "rb") as f:
            fast = list(FastArchiveIterator(f, parse_http=False))
            assert len(fast) == len(records)
        with open(path, "rb") as f:
            for rec in FastArchiveIterator(f, parse_http=False):
                assert rec.verify_block_digest(), rec.headers.get("WARC-Target-URI")
        with open(path, "rb") as f:
            for rec in FastArchiveIterator(f, parse_http=True):
                if rec.headers.get("WARC-Type") in ("response", "request"):
                    assert rec.verify_payload_digest(), rec.headers.get("WARC-Target-URI")


UTF8_NAME = 'attachment; filename="März.pdf"'.encode()
LATIN1_NAME = 'attachment; filename="März.pdf"'.encode("latin-1")
PDF = b"%PDF-1.4\n% a document\n%%EOF\n"
ODD = (
    b"HTTP/1.1 200 Fine Thanks\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"ETag: \"v1\"\r\n"
    b"x-custom-THING: 1\r\n"
    b"X-Dup: one\r\n"
    b"Set-Cookie: a=1\r\n"
    b"X-Dup: two\r\n"
    b"X-Padded:    padded value   \r\n"
    b"X-Folded: first\r\n"
    b"  second\r\n"
    b"Connection: keep-alive\r\n"
    b"Keep-Alive: timeout=5\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"\r\n"
    b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
)
#: what the WARC holds of ODD: the limits the README states
ODD_ARCHIVED = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Etag: \"v1\"\r\n"
    b"X-Custom-Thing: 1\r\n"
    b"X-Dup: one\r\n"
    b"X-Dup: two\r\n"
    b"Set-Cookie: a=1\r\n"
    b"X-Padded: padded value\r\n"
    b"X-Folded: first  second\r\n"
    b"\r\n"
)
AUTHORIZATION = b"Authorization: Basic c2VjcmV0\r\n"
COOKIE = re.compile(rb"Cookie: [^\r\n]*session=secret[^\r\n]*\r\n")


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """One crawl of a bare-socket site, shared by the tests that read its WARC."""
    store = tmp_path_factory.mktemp("archive")
    routes: dict[str, Answer] = {
        "/robots.txt": reply(b"404 Not Found", b"Set-Cookie: session=secret; Path=/"),
        "/files/utf8.pdf": reply(b"200 OK", b"Content-Type: application/pdf",
                                 b"Content-Disposition: " + UTF8_NAME, body=PDF),
        "/files/latin1.pdf": reply(b"200 OK", b"Content-Type: application/pdf",
                                   b"Content-Disposition: " + LATIN1_NAME, body=PDF),
        "/odd": ODD,
        "/empty": reply(b"204 Nothing Here", b"X-Why: empty", length=False),
        "/unregistered": reply(b"599 Network Read Timeout", b"Content-Type: text/plain", body=b"?"),
        "/cut": Hangup(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789"),
        "/old/utf8": reply(b"301 Moved Permanently", "Location: /März/artikel".encode()),
        "/old/escaped": reply(b"301 Moved Permanently", b"Location: /M%C3%A4rz/artikel-2"),
        "/old/latin1": reply(b"301 Moved Permanently", "Location: /März/alt".encode("latin-1")),
    }
    page = reply(b"200 OK", b"Content-Type: text/html; charset=utf-8",
                 body=b"<html><head><title>M\xc3\xa4rz</title></head><body><p>Kurz.</p></body></html>")
    for path in ("/M%C3%A4rz/artikel", "/M%C3%A4rz/artikel-2", "/M%E4rz/alt"):
        routes[path] = page
    with RawServer(routes) as server:
        seeds = [server.url + p.lstrip("/") for p in routes if p != "/robots.txt" and not p.startswith("/M%")]
        run = crawl(",".join(seeds), store, "-s", 'DEFAULT_REQUEST_HEADERS={"Authorization": "Basic c2VjcmV0"}',
                    "-s", "MORGUE_FEED_PATHS=false", "-s", "RETRY_ENABLED=false",
                    "-s", "DOWNLOAD_FAIL_ON_DATALOSS=false")
        yield server, store, run


def test_header_values_are_archived_byte_for_byte(captured):
    server, store, run = captured
    utf8 = response_for(store, server.url + "files/utf8.pdf")
    latin1 = response_for(store, server.url + "files/latin1.pdf")
    assert b"\r\nContent-Disposition: " + UTF8_NAME + b"\r\n" in http_block(utf8)[0]
    assert b"\r\nContent-Disposition: " + LATIN1_NAME + b"\r\n" in http_block(latin1)[0]
    assert http_block(utf8)[1] == http_block(latin1)[1] == PDF
    assert b"%C3" not in utf8["block"] and b"UTF-8''" not in latin1["block"]
    assert_every_reader_reads_it(store)


def test_what_the_client_changes_is_as_documented(captured):
    server, store, run = captured
    odd = response_for(store, server.url + "odd")
    assert http_block(odd) == (ODD_ARCHIVED, b"hello world")
    empty = response_for(store, server.url + "empty")
    assert http_block(empty) == (b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nX-Why: empty\r\n\r\n", b"")
    unregistered = response_for(store, server.url + "unregistered")
    assert http_block(unregistered)[0].startswith(b"HTTP/1.1 599 \r\nContent-Length: 1\r\n")


def test_a_body_cut_short_is_kept_and_marked_truncated(captured):
    server, store, run = captured
    cut = response_for(store, server.url + "cut")
    assert cut["truncated"] == "disconnect"
    assert http_block(cut) == (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\n",
                               b"0123456789")
    assert [r["uri"] for r in blocks(store) if r["truncated"]] == [cut["uri"]]


def test_request_records_are_the_bytes_sent_without_credentials(captured):
    server, store, run = captured
    records = blocks(store)
    responses = {r["id"]: r for r in records if r["type"] == "response"}
    requests = [r for r in records if r["type"] == "request"]
    assert len(requests) == len(responses) == len(server.log)
    for record in requests:
        target = record["uri"].removeprefix(server.url[:-1]).encode()
        assert responses[record["to"]]["uri"] == record["uri"]
        sent = server.requests_for(target)
        assert len(sent) == 1, target
        assert AUTHORIZATION in sent[0] and (COOKIE.search(sent[0]) or target == b"/robots.txt")
        assert record["block"] == COOKIE.sub(b"", sent[0].replace(AUTHORIZATION, b""))
        assert b"secret" not in record["block"] and b"c2VjcmV0" not in record["block"]


def test_a_non_ascii_redirect_is_followed_to_the_right_url(captured):
    server, store, run = captured
    for old, new in (("old/utf8", "M%C3%A4rz/artikel"), ("old/escaped", "M%C3%A4rz/artikel-2"),
                     ("old/latin1", "M%E4rz/alt")):
        hop = response_for(store, server.url + old)
        assert http_block(hop)[0].startswith(b"HTTP/1.1 301 Moved Permanently\r\n")
        assert server.requests_for(b"/" + new.encode()), new
        assert http_block(response_for(store, server.url + new))[1].startswith(b"<html>")
    assert not [p for _, p, _ in server.log if b"%C3%83" in p]


def test_a_home_page_redirect_to_a_non_ascii_path_is_followed(tmp_path):
    routes: dict[str, Answer] = {
        "/robots.txt": NOT_FOUND,
        "/": reply(b"301 Moved Permanently", "Location: /März/".encode()),
        "/M%C3%A4rz/": reply(b"200 OK", b"Content-Type: text/html; charset=utf-8",
                             body=b"<html><body><p>Start</p></body></html>"),
    }
    with RawServer(routes) as server:
        crawl(server.url, tmp_path, "-s", "MORGUE_FEED_PATHS=false")
    assert server.requests_for(b"/M%C3%A4rz/")
    assert response_for(tmp_path, server.url + "M%C3%A4rz/")


def test_warc_date_is_when_the_response_arrived(tmp_path):
    """Requests waiting in a delayed download slot are dated when their answer came, not when queued."""
    page = reply(b"200 OK", b"Content-Type: text/plain", body=b"x")
    with RawServer({"/robots.txt": NOT_FOUND, "/a": page, "/b": page}) as server:
        run = crawl(f"{server.url}a,{server.url}b", tmp_path, "-s", "DOWNLOAD_DELAY=2",
                    "-s", "RANDOMIZE_DOWNLOAD_DELAY=false", "-s", "MORGUE_FEED_PATHS=false")
    assert warc_files(tmp_path), run.stderr[-2000:]
    answered = {path.decode(): when for when, path, _ in server.log}
    assert max(answered.values()) - min(answered.values()) >= 3.9, "the slot delay did not apply"
    records = [r for r in blocks(tmp_path) if r["type"] in ("request", "response")]
    assert len(records) == 6
    for record in records:
        path = record["uri"].removeprefix(server.url[:-1])
        stamped = datetime.strptime(record["date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert math.floor(answered[path]) <= stamped.timestamp() <= math.floor(answered[path]) + 1, (
            path, record["date"], datetime.fromtimestamp(answered[path], timezone.utc).isoformat())
