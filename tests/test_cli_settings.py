"""Settings: a misspelt name is warned of and the crawl goes on; morgue knows every setting it reads."""

from __future__ import annotations

import re

import pytest

from morgue.config import MORGUE_SETTINGS
from morgue.testsite import NewsSite
from tests.conftest import ROOT, crawl, text_records


@pytest.fixture(scope="module")
def misspelt(tmp_path_factory):
    store = tmp_path_factory.mktemp("archive")
    with NewsSite() as site:
        run = crawl(site.url, store, "--max-pages", "2", "-s", "MORGUE_FOLOW_DEPTH=1", "-s", "CONCURENT_REQUESTS=4",
                    "-s", "MYPROJECT_TOKEN=x")
    return run, store


def test_misspelt_settings_are_warned_of_and_the_crawl_goes_on(misspelt):
    run, store = misspelt
    assert run.code == 0, run.stderr[-2000:]
    assert "morgue: warning: unknown setting MORGUE_FOLOW_DEPTH: did you mean MORGUE_FOLLOW_DEPTH?" in run.stderr
    assert "morgue: warning: unknown setting CONCURENT_REQUESTS: did you mean CONCURRENT_REQUESTS?" in run.stderr
    assert "MYPROJECT_TOKEN" not in run.stderr  # a setting of the user's own, far from any known name
    assert len(text_records(store)) == 2


def test_no_remote_control_server_in_a_crawl(misspelt):
    """Scrapy 2.19 starts an HTTP server that runs the Python code it is sent; off, like the telnet console."""
    run, _ = misspelt
    assert "Enabled extensions" in run.stderr  # the INFO log lists them
    assert "remote_control" not in run.stderr


def test_every_setting_the_code_reads_is_known():
    """The list the warnings are checked against holds every MORGUE_* name in the code."""
    names = set()
    for path in (ROOT / "morgue").rglob("*.py"):
        # in strings ("MORGUE_X", `MORGUE_X`, MORGUE_X=...), and settings.py's own names
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"[\"'`](MORGUE_[A-Z0-9_]*[A-Z0-9])\b", text))
        if path.name == "settings.py":
            names |= set(re.findall(r"^(MORGUE_[A-Z0-9_]*[A-Z0-9]) =", text, re.MULTILINE))
    assert len(names) > 30
    assert names - MORGUE_SETTINGS == set()
