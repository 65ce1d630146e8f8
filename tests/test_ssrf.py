"""The service's address rules: the classifier (no traffic at all), then real fetches on loopback only."""

from __future__ import annotations

import ipaddress
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_save import save
from twisted.internet.address import IPv4Address

from morgue.utils.ssrf import (
    GuardedResolver,
    RefusedAddress,
    check_url,
    classify,
    parse_address,
    parse_allowed,
)


@pytest.mark.parametrize(("address", "why"), [
    ("10.0.0.1", "private"), ("10.255.255.255", "private"), ("172.16.0.1", "private"),
    ("192.168.1.1", "private"), ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"),
    ("169.254.169.254", "cloud metadata"), ("169.254.1.1", "link-local"), ("100.100.100.200", "cloud metadata"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("240.0.0.1", "reserved"),
    ("100.64.0.1", "non-public"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("fd00::1", "private"), ("fd12:3456::1", "private"),
    ("fd00:ec2::254", "cloud metadata"), ("ff02::1", "multicast"), ("::", "unspecified"),
    ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "cloud metadata"),
    ("64:ff9b::a00:1", "private"), ("2002:a00:1::", "private"),
])
def test_refused_ranges(address, why):
    assert classify(address, 80) == f"{ipaddress.ip_address(address)} is a {why} address"


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert classify(address, 443) is None


@pytest.mark.parametrize(("spelling", "address"), [
    ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("017700000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"), ("10.1", "10.0.0.1"),
    ("167772161", "10.0.0.1"), ("[::ffff:10.0.0.1]", "::ffff:10.0.0.1"), ("[::ffff:a00:1]", "::ffff:10.0.0.1"),
    ("169.254.43518", "169.254.169.254"), ("2852039166", "169.254.169.254"),
])
def test_every_spelling_of_an_address_is_read(spelling, address):
    assert parse_address(spelling) == ipaddress.ip_address(address)
    assert classify(spelling, 80) is not None


@pytest.mark.parametrize("name", ["example.org", "1.2.3.4.5", "256.1.1.1.1", "news.127.0.0.1.example"])
def test_names_are_not_addresses(name):
    assert parse_address(name) is None


@pytest.mark.parametrize(("url", "why"), [
    ("ftp://example.org/x", "scheme 'ftp'"), ("file:///etc/passwd", "scheme 'file'"),
    ("gopher://127.0.0.1:70/", "scheme 'gopher'"), ("http://example.org:8080/", "port 8080"),
    ("http://2130706433/", "loopback"), ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"), ("https://0x7f.1/", "loopback"),
])
def test_urls_refused_before_any_connection(url, why):
    with pytest.raises(RefusedAddress, match=why):
        check_url(url)


def test_allowed_networks():
    allowed = parse_allowed("127.0.0.1:8080, 10.0.0.0/8, [fd00::/8]:8443")
    assert classify("127.0.0.1", 8080, allowed) is None
    assert classify("127.0.0.1", 8081, allowed) == "port 8081 is not allowed (only 80 and 443)"
    assert classify("127.0.0.2", 8080, allowed) == "port 8080 is not allowed (only 80 and 443)"
    assert classify("127.0.0.2", 80, allowed) == "127.0.0.2 is a loopback address"
    assert classify("10.1.2.3", 443, allowed) is None and classify("10.1.2.3", 22, allowed) is not None
    assert classify("fd00::5", 8443, allowed) is None
    assert check_url("http://127.0.0.1:8080/a", allowed)[1] == 8080
    for bad in ("10.0.0.0/33", "127.0.0.1:http", "[::1]x", "example.org"):
        with pytest.raises(ValueError, match=re.escape(f"invalid MORGUE_ALLOWED_NETWORKS entry '{bad}'")):
            parse_allowed(bad)


class _Receiver:
    def __init__(self):
        self.addresses, self.done = [], False

    def resolutionBegan(self, resolution):
        pass

    def addressResolved(self, address):
        self.addresses.append(address.host)

    def resolutionComplete(self):
        self.done = True


def test_resolver_drops_refused_addresses():
    """A name that resolves to a private address (faked: tests send nothing beyond 127.0.0.0/8)."""

    class Reactor:
        class nameResolver:
            @staticmethod
            def resolveHostName(receiver, name, port, *args):
                receiver.resolutionBegan(None)
                for host in ("10.0.0.7", "93.184.215.14", "169.254.169.254"):
                    receiver.addressResolved(IPv4Address("TCP", host, port))
                receiver.resolutionComplete()

    receiver = _Receiver()
    GuardedResolver(Reactor, parse_allowed("")).resolveHostName(receiver, "rebinding.example", 443)
    assert receiver.addresses == ["93.184.215.14"] and receiver.done


class _Logged(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.log.append(self.path)
        target = self.server.redirects.get(self.path)
        if target:
            self.send_response(302)
            self.send_header("Location", target)
        else:
            self.send_response(404 if self.path == "/robots.txt" else 200)
            self.send_header("Content-Type", "text/html")
        self.end_headers()
        if not target:
            self.wfile.write(b"<html><head><title>Hi</title></head><body><p>hello</p></body></html>")

    def log_message(self, *args):
        pass


@pytest.fixture
def servers():
    started = []
    for _ in range(2):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Logged)
        server.log, server.redirects = [], {}
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def test_guard_refuses_other_ports_addresses_and_redirect_hops(servers, tmp_path):
    site, other = servers
    site_port, other_port = site.server_address[1], other.server_address[1]
    site.redirects["/go"] = f"http://127.0.0.1:{other_port}/secret"
    urls = [f"http://127.0.0.1:{site_port}/ok", f"http://127.0.0.1:{other_port}/secret",
            f"http://127.0.0.2:{site_port}/ok", f"http://2130706433:{other_port}/secret",
            f"http://127.0.0.1:{site_port}/go"]
    run = save(*urls, "--json", "--store", str(tmp_path), "-s", "MORGUE_SSRF_GUARD=true",
               "-s", f"MORGUE_ALLOWED_NETWORKS=127.0.0.1:{site_port}")
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert out[0]["status"] == 200 and out[0]["error"] is None
    assert out[1]["error"] == f"refused {urls[1]}: port {other_port} is not allowed (only 80 and 443)"
    assert out[2]["error"] == f"refused {urls[2]}: port {site_port} is not allowed (only 80 and 443)"
    assert out[3]["error"].startswith(f"refused {urls[3]}:")
    assert out[4]["error"] == f"refused http://127.0.0.1:{other_port}/secret: port {other_port} is not allowed " \
                              "(only 80 and 443)"
    assert out[4]["status"] == 302  # the hop that was fetched is archived
    assert other.log == []  # no connection made
    assert run.code == 1


def test_resolver_alone_stops_the_connection(servers, tmp_path):
    """The second line (a name that resolves differently at connection time): without the middleware,
    the resolver still leaves the HTTP client no address to connect to."""
    site, other = servers
    site_port, other_port = site.server_address[1], other.server_address[1]
    run = save(f"http://127.0.0.1:{site_port}/ok", f"http://127.0.0.1:{other_port}/secret", "--json",
               "--store", str(tmp_path), "-s", "TWISTED_DNS_RESOLVER=morgue.utils.ssrf.GuardedResolver",
               "-s", f"MORGUE_ALLOWED_NETWORKS=127.0.0.1:{site_port}", "-s", "RETRY_ENABLED=false")
    ok, refused = (json.loads(line) for line in run.stdout.splitlines())
    assert ok["status"] == 200
    assert refused["status"] is None and refused["error"].startswith("DNS")
    assert other.log == []
    assert "Refused to connect to 127.0.0.1: port" in run.stderr
