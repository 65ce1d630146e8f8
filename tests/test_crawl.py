"""A whole crawl of the local news site with the real CLI, checked from the outside."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
from fastwarc.warc import ArchiveIterator as FastArchiveIterator

from morgue.store import open_store
from morgue.testsite.articles import REFRESH_PATH, REFRESH_TARGET
from tests.conftest import crawl, morgue, read_one_record, text_records, warc_files, warc_records


def responses_by_path(records):
    out = {}
    for r in records:
        if r["type"] == "response":
            parts = urlsplit(r["headers"]["WARC-Target-URI"])
            out.setdefault(parts.path + (f"?{parts.query}" if parts.query else ""), []).append(r)
    return out


def test_crawl_succeeds_with_a_summary(crawled):
    site, store, run = crawled
    assert run.code == 0, run.stderr[-3000:]
    assert "articles archived:" in run.stderr
    assert warc_files(store) and text_records(store)


def test_every_exchange_is_archived_with_its_request(crawled):
    site, store, run = crawled
    records = warc_records(store)
    by_path = responses_by_path(records)
    asked = {path for method, path, headers in site.requests}
    missing = asked - set(by_path) - {"/2026/11/19/huge-page-report/"}  # cancelled: over DOWNLOAD_MAXSIZE
    assert not missing, f"requests with no response record: {sorted(missing)}"
    for path in ("/robots.txt", "/sitemap_index.xml", "/news-sitemap.xml", "/feed/", "/old/city-budget"):
        assert path in by_path, path
    statuses = {r["http"].get_statuscode() for r in records if r["type"] == "response"}
    assert {"200", "301", "404", "500"} <= statuses
    ids = {r["headers"]["WARC-Record-ID"]: r for r in records}
    requests = [r for r in records if r["type"] == "request"]
    assert len(requests) == sum(1 for r in records if r["type"] == "response")
    for req in requests:
        target = ids[req["headers"]["WARC-Concurrent-To"]]
        assert target["type"] == "response"
        assert target["headers"]["WARC-Target-URI"] == req["headers"]["WARC-Target-URI"]
        assert b"authorization" not in req["http"].to_bytes().lower()


def test_each_file_opens_with_warcinfo_and_passes_warcio_check(crawled):
    site, store, run = crawled
    for path in warc_files(store):
        first = warc_records_of(path)[0]
        assert first["type"] == "warcinfo"
        assert b"software: morgue/" in first["payload"]
        assert b"robots: obey" in first["payload"]
        check = subprocess.run(["warcio", "check", "-v", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert path.name.startswith("MORGUE-") and path.name.endswith(".warc.gz")


def warc_records_of(path):
    return [r for r in warc_records(path.parents[4]) if r["file"] == path.name]


def test_fastwarc_reads_every_record_and_digests_match(crawled):
    site, store, run = crawled
    count = 0
    for path in warc_files(store):
        with open(path, "rb") as f:  # block digests cover the HTTP headers: read them unparsed
            for rec in FastArchiveIterator(f, parse_http=False):
                assert rec.verify_block_digest(), rec.headers.get("WARC-Record-ID")
                count += 1
        with open(path, "rb") as f:
            for rec in FastArchiveIterator(f, parse_http=True):
                if rec.headers.get("WARC-Type") == "response":
                    assert rec.verify_payload_digest(), rec.headers.get("WARC-Target-URI")
    assert count == len(warc_records(store))


def test_bodies_are_archived_as_received(crawled):
    site, store, run = crawled
    gzipped = [r for r in warc_records(store) if r["type"] == "response"
               and (r["http"].get_header("Content-Encoding") or "").lower() == "gzip"]
    assert gzipped, "the test site gzips its pages: some response must keep Content-Encoding"
    for r in gzipped:
        assert r["payload"][:2] == b"\x1f\x8b"
        gzip.decompress(r["payload"])
        digest = "sha1:" + base64.b32encode(hashlib.sha1(r["payload"]).digest()).decode()
        assert r["headers"]["WARC-Payload-Digest"] == digest
    for r in warc_records(store):
        if r["type"] == "response":
            assert r["http"].protocol == "HTTP/1.1" or r["http"].protocol.startswith("HTTP/")
            assert r["http"].get_header("Transfer-Encoding") is None
            assert r["headers"].get("WARC-IP-Address") == "127.0.0.1"


def test_robots_disallowed_urls_are_never_requested(crawled):
    site, store, run = crawled
    assert not [p for p in site.requested_paths() if p.startswith("/private/")]


def test_every_article_has_a_clean_text_record(crawled):
    site, store, run = crawled
    records = {urlsplit(r["url"]).path: r for r in text_records(store)}
    for article in site.articles:
        record = records.get(article["path"])
        assert record is not None, f"no text record for {article['path']}"
        for passage in article["key_passages"]:
            assert passage in record["text"], (article["path"], passage)
        for junk in article["boilerplate"]:
            assert junk not in record["text"], (article["path"], junk)
        assert record["title"] == article["title"]
        assert record["word_count"] > 100
        for name in ("url", "requested_url", "canonical_url", "title", "author", "published", "sitename",
                     "language", "description", "tags", "categories", "text", "word_count", "fetched_at",
                     "warc_filename", "warc_record_id", "warc_offset", "warc_length", "payload_digest"):
            assert name in record, name
        assert record["language"] == "en"


def test_only_articles_get_text_records(crawled):
    site, store, run = crawled
    article_paths = {a["path"] for a in site.articles}
    for record in text_records(store):
        path = urlsplit(record["url"]).path
        assert path in article_paths, f"text record for a non-article page {path}"


def test_text_record_leads_to_its_warc_record_by_offset(crawled):
    site, store, run = crawled
    archive = open_store(str(store))
    for record in text_records(store):
        data = archive.read_range(record["warc_key"], record["warc_offset"], record["warc_length"])
        rec = read_one_record(data)
        assert rec.rec_type == "response"
        assert rec.rec_headers.get_header("WARC-Record-ID") == record["warc_record_id"]
        assert rec.rec_headers.get_header("WARC-Target-URI") == record["url"]
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == record["payload_digest"]


def test_redirect_keeps_requested_url(crawled):
    site, store, run = crawled
    redirected = [r for r in text_records(store) if urlsplit(r["requested_url"]).path == "/old/city-budget"]
    for r in redirected:
        assert r["url"] != r["requested_url"]
    hops = responses_by_path(warc_records(store)).get("/old/city-budget", [])
    assert hops and hops[0]["http"].get_statuscode() == "301"


def test_meta_refresh_in_a_long_page_is_followed(crawled):
    site, store, run = crawled
    by_path = responses_by_path(warc_records(store))
    assert by_path[REFRESH_PATH][0]["http"].get_statuscode() == "200"
    # nothing links to the target: it was fetched because the refresh was read
    assert by_path[REFRESH_TARGET][0]["http"].get_statuscode() == "200"
    refreshed = [headers for method, path, headers in site.requests if path == REFRESH_TARGET]
    assert refreshed and urlsplit(refreshed[0].get("Referer", "")).path == REFRESH_PATH


def test_windows_1252_page_decodes_right(crawled):
    site, store, run = crawled
    cp1252 = [a for a in site.articles if (a.get("encoding") or "").lower() in ("windows-1252", "cp1252")]
    assert cp1252
    records = {urlsplit(r["url"]).path: r for r in text_records(store)}
    for article in cp1252:
        text = records[article["path"]]["text"]
        assert any(ch in text for ch in "\u201c\u201d\u2019\u2014"), text[:300]
        assert "\ufffd" not in text and "â€" not in text


def test_oversized_page_is_skipped_and_the_crawl_goes_on(crawled):
    site, store, run = crawled
    assert run.code == 0
    skipped = [line for line in run.stderr.splitlines() if "huge-page-report" in line]
    assert any("max size" in line for line in skipped), skipped
    paths = {urlsplit(r["url"]).path for r in text_records(store)}
    assert not any("huge" in p for p in paths)
    assert paths == {a["path"] for a in site.articles}


def test_max_pages_and_since(tmp_path, site):
    run = crawl(site.url, tmp_path / "a", "--max-pages", "2")
    assert run.code == 0, run.stderr[-2000:]
    assert len(text_records(tmp_path / "a")) <= 2
    run = crawl(site.url, tmp_path / "b", "--since", "2026-01-01")
    assert run.code == 0, run.stderr[-2000:]
    old = [a for a in site.articles if a["published"] and a["published"] < "2026-01-01"]
    assert old, "the test site has an article older than 2026"
    fetched = set(site.requested_paths())
    for a in old:
        if a["via"] in ("sitemap", "news-sitemap"):
            assert a["path"] not in fetched


def test_a_crawl_finding_only_older_articles_says_so_and_succeeds(tmp_path, site):
    """A cron job with ``--since`` on a quiet day: nothing new is no failure, and the summary says why."""
    run = crawl(site.url, tmp_path, "--since", "2030-01-01")
    assert run.code == 0, run.stderr[-2000:]
    older = re.search(r"older than --since: (\d+)", run.stderr)
    assert older and int(older[1]) >= len([a for a in site.articles if a["published"]]), run.stderr[-2000:]
    dated = {a["path"] for a in site.articles if a["published"]}
    assert not dated & {urlsplit(r["url"]).path for r in text_records(tmp_path)}


def test_invalid_url_is_a_one_line_error(tmp_path):
    run = morgue("crawl", "not a url", "--store", str(tmp_path))
    assert run.code == 2
    assert run.stderr.strip().count("\n") == 0 and "invalid URL" in run.stderr
    run = morgue("crawl", "ftp://example.org/", "--store", str(tmp_path))
    assert run.code == 2 and "http" in run.last_line


def test_unwritable_store_fails_before_fetching(tmp_path, site):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    run = crawl(site.url, blocker / "archive")
    assert run.code == 2
    assert "not writable" in run.last_line and str(blocker) in run.last_line
    assert site.requests == []


def test_site_down_says_so(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = crawl(f"http://127.0.0.1:{port}/", tmp_path, "-s", "RETRY_TIMES=0")
    assert run.code == 1
    assert "cannot fetch" in run.last_line or "could be fetched" in run.last_line
    assert f"127.0.0.1:{port}" in run.last_line


def test_scrapy_crawl_does_the_same(tmp_path, site):
    from tests.conftest import ROOT

    proc = subprocess.run(
        ["scrapy", "crawl", "news", "-a", f"site={site.url}", "-s", f"MORGUE_STORE={tmp_path}",
         "-s", "DOWNLOAD_MAXSIZE=1000000",
         "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "MORGUE_EXTRACT_WORKERS=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    paths = {urlsplit(r["url"]).path for r in text_records(tmp_path)}
    assert paths == {a["path"] for a in site.articles}


@pytest.mark.parametrize("command", ["demo"])
def test_demo_crawls_the_bundled_site(tmp_path, command):
    run = morgue("demo", "--store", str(tmp_path / "archive"), cwd=tmp_path)
    assert run.code == 0, run.stderr[-2000:]
    assert warc_files(tmp_path / "archive") and text_records(tmp_path / "archive")


def test_pywb_indexer_reads_the_archive_and_finds_each_article_at_its_offset(crawled):
    site, store, run = crawled
    index = {}
    for path in warc_files(store):
        proc = subprocess.run(["cdxj-indexer", str(path)], capture_output=True, text=True, check=True)
        for line in proc.stdout.splitlines():
            fields = json.loads(line.split(" ", 2)[2])
            index[(fields["filename"], int(fields["offset"]))] = fields
    for record in text_records(store):
        entry = index[(record["warc_filename"], record["warc_offset"])]
        assert entry["url"] == record["url"] and entry["status"] == "200"
        assert int(entry["length"]) == record["warc_length"]


def test_warc_files_rotate_at_the_size_set(tmp_path, site):
    run = crawl(site.url, tmp_path, "-s", "MORGUE_WARC_MAX_SIZE=15000", "-s", "DOWNLOAD_MAXSIZE=1000000")
    assert run.code == 0, run.stderr[-2000:]
    files = warc_files(tmp_path)
    assert len(files) >= 3
    assert len({f.name.split("-")[2] for f in files}) == len(files)  # serials differ
    for path in files:
        assert warc_records_of(path)[0]["type"] == "warcinfo"
        assert path.stat().st_size < 15000 + 1_100_000  # rotation happens at the first record past the size
    archive = open_store(str(tmp_path))
    for record in text_records(tmp_path):
        rec = read_one_record(archive.read_range(record["warc_key"], record["warc_offset"], record["warc_length"]))
        assert rec.rec_headers.get_header("WARC-Record-ID") == record["warc_record_id"]
