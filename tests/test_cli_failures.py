"""Failures a user sees: one line each, never a traceback; ``scrapy crawl`` says and exits as ``morgue crawl``."""

from __future__ import annotations

import re
import socket

import pytest

from morgue.testsite import NewsSite
from tests.conftest import FAST, crawl, morgue
from tests.test_cli import scrapy

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[[\w.]+\] (WARNING|ERROR|CRITICAL): ")


class ExplodingStore:
    """A store back-end with a bug (``MORGUE_STORES`` loads it): the fault no real part shows."""

    @classmethod
    def from_uri(cls, uri: str, **options: object) -> ExplodingStore:
        raise RuntimeError("the store back-end crashed\nwith a second line")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("retry", ["RETRY_TIMES=0", "RETRY_ENABLED=False"])
def test_a_site_that_refuses_connections_is_one_line_per_failure(tmp_path, retry):
    url = f"http://127.0.0.1:{closed_port()}/"
    run = morgue("crawl", url, "--store", str(tmp_path / "archive"), *FAST, "-s", retry, "-L", "WARNING")
    assert run.code == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert [line for line in lines if not (LOG_LINE.match(line) or line.startswith("morgue: "))] == [], run.stderr
    # Scrapy logs these two with the chained traceback of the error (50 lines each)
    robots = [line for line in lines if "[scrapy.downloadermiddlewares.robotstxt]" in line]
    assert robots and all(line.endswith("Connection refused.") for line in robots), robots
    scraper = [line for line in lines if "[scrapy.core.scraper]" in line]
    assert all(line.endswith("Connection refused.") for line in scraper), scraper
    if retry == "RETRY_TIMES=0":
        assert scraper == []  # RetryMiddleware's "Gave up retrying ...: why" already said it
    assert run.last_line == f"morgue: error: no article archived: cannot fetch {url}: " \
                            "Connection was refused by other side: 111: Connection refused."


def test_scrapy_crawl_says_and_exits_as_morgue_crawl(tmp_path):
    with NewsSite(variant="forbidden") as site:
        by_morgue = crawl(site.url, tmp_path / "a")
        by_scrapy = scrapy("crawl", "news", "-a", f"site={site.url}", "-s", f"MORGUE_STORE={tmp_path / 'b'}",
                           *FAST)
    assert by_morgue.code == by_scrapy.code == 1, by_scrapy.stderr[-3000:]
    assert by_scrapy.last_line == by_morgue.last_line
    assert "no article archived" in by_scrapy.last_line and "403" in by_scrapy.last_line

    def summary(run) -> list[str]:  # without the time taken, and the bytes (warcinfo names the command)
        return [re.sub(r"[\d,]+ bytes", "N bytes", line) for line in run.stderr.splitlines()
                if line.startswith("morgue: ") and "time:" not in line]

    assert summary(by_scrapy) == summary(by_morgue), by_scrapy.stderr[-5000:]
    assert any(line.startswith("morgue: pages fetched:") for line in summary(by_scrapy))


def test_scrapy_crawl_without_a_site_is_one_line():
    run = scrapy("crawl", "news")
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [
        "morgue: error: the news spider needs a site: scrapy crawl news -a site=https://news.example.org/"]


def test_an_unexpected_error_is_one_line_with_a_hint_and_the_traceback_at_debug(tmp_path):
    args = ("crawl", "http://127.0.0.1:9/", "--store", "boom://x",
            "-s", '''MORGUE_STORES={"boom": "tests.test_cli_failures.ExplodingStore"}''')
    run = morgue(*args)
    assert run.code == 1
    assert run.stderr.strip().splitlines() == [
        "morgue: error: unexpected RuntimeError: the store back-end crashed (run with -L DEBUG for details)"]
    run = morgue(*args, "-L", "DEBUG")
    assert run.code == 1
    assert "Traceback" in run.stderr and "in from_uri" in run.stderr
    assert run.last_line.startswith("morgue: error: unexpected RuntimeError")
