"""``morgue save``: given URLs archived now, against the local test site, through the real command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from conftest import ROOT, Run, text_records, warc_records

from morgue.testsite.articles import PDF_PATH, PRIVATE_PATH, REDIRECT_PATH
from morgue.testsite.feeds import FEED
from morgue.testsite.routes import REDIRECT_TARGET

ARTICLE = "/2026/11/20/city-council-approves-new-budget/"


def save(*args: str, timeout: float = 60) -> Run:
    """``morgue save`` in a child process."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("MORGUE_STORE", None)
    proc = subprocess.run([sys.executable, "-m", "morgue", "save", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def results(run: Run) -> dict[str, dict]:
    return {r["url"]: r for r in map(json.loads, run.stdout.splitlines())}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_save_article_redirect_404_robots_pdf(site, tmp_path):
    base = site.url.rstrip("/")
    urls = [base + ARTICLE, base + REDIRECT_PATH, base + "/no-such-page/", base + PRIVATE_PATH, base + PDF_PATH]
    run = save(*urls, "--store", str(tmp_path), "--json")
    assert run.code == 1, run.stderr
    out = results(run)
    assert list(out) == urls  # one object per URL, in the order given

    article = out[base + ARTICLE]
    assert article["error"] is None and article["status"] == 200
    assert article["title"] == "City council approves new budget"
    assert article["text"].startswith("Councillors voted nine to four")
    records = {r["warc_record_id"]: r for r in text_records(tmp_path)}
    stored = records["<urn:uuid:" + article["capture_id"] + ">"]
    assert stored["url"] == base + ARTICLE and stored["discovered_via"] == "save"
    assert stored["warc_offset"] == article["warc_offset"]

    redirected = out[base + REDIRECT_PATH]
    assert redirected["error"] is None and redirected["final_url"] == base + REDIRECT_TARGET
    responses = [(r["headers"]["WARC-Target-URI"], r["http"].get_statuscode())
                 for r in warc_records(tmp_path) if r["type"] == "response"]
    assert (base + REDIRECT_PATH, "301") in responses  # the hop is archived, not only its target
    assert (base + "/no-such-page/", "404") in responses

    assert out[base + "/no-such-page/"]["status"] == 404
    assert out[base + "/no-such-page/"]["error"] == "HTTP 404"
    assert out[base + PRIVATE_PATH]["error"] == "forbidden by robots.txt"
    assert PRIVATE_PATH not in site.requested_paths()
    assert out[base + PDF_PATH]["error"].startswith("not HTML (application/pdf)")
    assert out[base + PDF_PATH]["capture_id"]  # archived all the same
    assert f"morgue: error: {base + PRIVATE_PATH}: forbidden by robots.txt" in run.stderr
    assert run.last_line == "morgue: error: 3 of 5 URLs not saved"
    assert "Traceback" not in run.stderr


def test_save_prints_each_capture(site, tmp_path):
    run = save(site.url.rstrip("/") + ARTICLE, "--store", str(tmp_path))
    assert run.code == 0, run.stderr
    assert "status: 200" in run.stdout
    assert "title: City council approves new budget" in run.stdout
    assert "WARC: MORGUE-" in run.stdout and "record <urn:uuid:" in run.stdout
    assert "text: Councillors voted nine to four" in run.stdout


def test_save_ignore_robots(site, tmp_path):
    run = save(site.url.rstrip("/") + PRIVATE_PATH, "--store", str(tmp_path), "--json", "--ignore-robots")
    assert PRIVATE_PATH in site.requested_paths()
    assert json.loads(run.stdout)["status"] == 200


def test_save_feed_with_outlinks(site, tmp_path):
    run = save(site.url.rstrip("/") + FEED, "--outlinks", "--store", str(tmp_path), "--json")
    assert run.code == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    feed, entries = lines[0], lines[1:]
    assert feed["url"] == site.url.rstrip("/") + FEED and feed["error"] is None
    assert len(entries) >= 3 and all(e["from"] == feed["url"] for e in entries)
    saved = {r["url"] for r in text_records(tmp_path)}
    assert {e["final_url"] for e in entries if e["text"]} <= saved
    assert all(r["discovered_via"] == "feed" for r in text_records(tmp_path))


def test_save_if_not_archived_within_gives_the_recent_capture(site, tmp_path):
    url = site.url.rstrip("/") + ARTICLE
    first = json.loads(save(url, "--store", str(tmp_path), "--json").stdout)
    fetches = site.requested_paths().count(ARTICLE)
    again = save(url, "--store", str(tmp_path), "--json", "--if-not-archived-within", "1h")
    assert again.code == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["capture_id"] == first["capture_id"] and second["recent"] is True
    assert site.requested_paths().count(ARTICLE) == fetches  # not fetched again
    assert len(text_records(tmp_path)) == 1


def test_save_failures_are_named(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/story/"
    run = save(url, "--store", str(tmp_path), "--json")
    assert run.code == 1
    assert json.loads(run.stdout)["error"] == "connection refused"
    assert f"morgue: error: {url}: connection refused" in run.stderr


def test_save_bad_input_is_one_line(tmp_path):
    run = save("not a url", "--store", str(tmp_path))
    assert run.code == 2 and run.stderr.count("\n") == 1 and run.last_line.startswith("morgue: error: ")
    run = save("http://127.0.0.1/", "--if-not-archived-within", "soon", "--store", str(tmp_path))
    assert run.code == 2 and "--if-not-archived-within" in run.last_line


def test_save_page_with_outlinks(site, tmp_path):
    run = save(site.url, "--outlinks", "--store", str(tmp_path), "--json")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    home, links = lines[0], lines[1:]
    assert home["status"] == 200 and links and all(link["from"] == site.url for link in links)
    saved = {"/" + r["url"].split("/", 3)[3] for r in text_records(tmp_path) if r["discovered_via"] == "link"}
    assert len(saved) >= 3 and saved <= {a["path"] for a in site.articles}  # the home page's articles
    assert run.code == 0, run.stderr


def test_save_timeout_is_named(tmp_path):
    import threading
    from http.server import ThreadingHTTPServer

    from test_service import _Logged

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Logged)
    server.log, server.posts, server.redirects, server.page, server.delay = [], [], {}, b"<p>late</p>", 3
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/slow"
        run = save(url, "--json", "--store", str(tmp_path), "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_ENABLED=false")
    finally:
        server.shutdown()
        server.server_close()
    assert run.code == 1 and json.loads(run.stdout)["error"] == "timeout"
    assert f"morgue: error: {url}: timeout" in run.stderr


def test_save_is_not_done_until_its_text_record_reads_back(site, tmp_path):
    """The WARC reaches the store but the text file cannot (a file stands where its folder goes)."""
    (tmp_path / "text").write_text("not a folder")
    url = site.url.rstrip("/") + ARTICLE
    run = save(url, "--store", str(tmp_path), "--json", "-s", "MORGUE_UPLOAD_TIMEOUT=1")
    assert run.code != 0, run.stderr
    result = results(run)[url]
    assert result["status"] == 200 and warc_records(tmp_path)  # the capture itself is stored
    assert result["error"] == ("archived, but its text record cannot be read back from the store yet "
                               "(it waits in the spool)")
    assert "Traceback" not in run.stderr
