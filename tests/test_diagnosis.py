"""A crawl that finds nothing says why, with its own message and exit code."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from morgue.extensions.diagnosis import diagnose
from morgue.testsite import NewsSite
from tests.conftest import FAST, ROOT, crawl, text_records


@pytest.mark.parametrize("variant, words", [
    ("disallow-all", ["robots.txt", "disallows"]),
    ("forbidden", ["403", "slower rate"]),
    ("no-articles", ["no sitemap, feed or article-like link", "feed or sitemap URL"]),
])
def test_an_empty_crawl_fails_with_its_reason(tmp_path, variant, words):
    with NewsSite(variant=variant) as site:
        run = crawl(site.url, tmp_path)
        if variant == "disallow-all":
            assert set(site.requested_paths()) == {"/robots.txt"}
    assert run.code == 1, run.stderr[-2000:]
    assert run.last_line.startswith("morgue: error: no article archived:")
    for word in words:
        assert word in run.last_line, run.last_line
    assert text_records(tmp_path) == []


def test_a_home_page_redirecting_off_the_site_is_not_followed_and_said(tmp_path):
    with NewsSite(variant="offsite-redirect") as site:
        run = crawl(site.url, tmp_path)
        hosts = {headers.get("Host", "") for _, _, headers in site.requests}
    assert not [h for h in hosts if h.startswith("localhost")]
    assert run.code == 0  # its sitemaps still lead to the articles
    assert "warning: the home page" in run.stderr and "redirected off the site to http://localhost" in run.stderr


def test_retry_after_is_honoured_and_everything_is_archived(tmp_path):
    with NewsSite(variant="rate-limited") as site:
        run = crawl(site.url, tmp_path)
        asked, times = site.requested_paths(), site.request_times
        articles = site.articles
    assert run.code == 0, run.stderr[-2000:]
    paths = {urlsplit(r["url"]).path for r in text_records(tmp_path)}
    assert {a["path"] for a in articles} <= paths
    assert "answered 429: waiting 2s" in run.stderr
    # The site said "Retry-After: 2" to its first HTML requests: nothing came back sooner. The first
    # four may all be in flight at once (CONCURRENT_REQUESTS_PER_DOMAIN): every later one must wait.
    html = [i for i, p in enumerate(asked) if not p.startswith(("/robots", "/sitemap", "/news-sitemap", "/feed"))]
    first_429 = times[html[0]]
    later = [times[i] - first_429 for i in html[4:]]
    assert later and min(later) >= 1.9


def test_diagnosis_warns_when_part_of_a_crawl_is_blocked():
    stats = {"text/records_written": 3, "downloader/response_status_count/200": 5,
             "downloader/response_status_count/403": 4}
    verdict = diagnose(stats, "https://n.example/")
    assert verdict.ok and any("403 to 4" in w for w in verdict.warnings)


def _crawl_with_stderr_on(stderr_fd, store, url):
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.Popen([sys.executable, "-m", "morgue", "crawl", url, "--store", str(store), *FAST],
                            stdout=subprocess.DEVNULL, stderr=stderr_fd, env=env, cwd=ROOT)


def test_progress_line_only_on_a_terminal(tmp_path, site):
    master, slave = pty.openpty()
    proc = _crawl_with_stderr_on(slave, tmp_path / "a", site.url)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, shown[-2000:]
    assert "pages/s" in shown and "\r" in shown
    assert "] INFO:" not in shown  # on a terminal the log keeps to warnings and errors
    run = crawl(site.url, tmp_path / "b")
    assert run.code == 0
    assert "pages/s" not in run.stderr
    assert "articles archived:" in run.stderr


def test_broken_sitemaps_and_feed_are_one_line_errors_and_the_crawl_goes_on(tmp_path):
    with NewsSite(variant="broken-discovery") as site:
        run = crawl(site.url, tmp_path)
        linked = {a["path"] for a in site.articles if a["linked_from"]}
    assert run.code == 0, run.stderr[-2000:]
    errors = [line for line in run.stderr.splitlines() if "] ERROR:" in line]
    for name in ("sitemap_index.xml", "news-sitemap.xml", "sitemap-posts.xml.gz", "/feed/"):
        assert [e for e in errors if name in e], (name, errors)
    assert not [e for e in errors if "Traceback" in e]
    assert "Traceback" not in run.stderr
    assert linked <= {urlsplit(r["url"]).path for r in text_records(tmp_path)}
    assert "sitemaps or feeds could not be read" in run.stderr
