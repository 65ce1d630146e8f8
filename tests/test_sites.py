"""sites.toml: several sites in one run, each with its own settings; a bad file is one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from morgue.cli.sites import read_sites
from morgue.testsite.revisions import RevisionSite
from tests.conftest import FAST, ROOT, Run, crawl, text_records

BAD = [
    ('[[site]]\nurl = "https://a.example/"\nrate_limit = "fast"\n', 3, "rate_limit"),
    ('[[site]]\nurl = "https://a.example/"\n\n[[site]]\nurl = "not a url"\n', 5, "url"),
    ('[[site]]\nurl = "https://a.example/"\nskip = ["(unclosed"]\n', 3, "skip"),
    ('[[site]]\nurl = "https://a.example/"\nspeed = 3\n', 3, "speed"),
    ('[[site]]\nurl = "https://a.example/"\nsince = "last tuesday"\n', 3, "since"),
]


@pytest.mark.parametrize(("text", "line", "key"), BAD)
def test_bad_sites_file_names_file_line_and_key(tmp_path: Path, text: str, line: int, key: str) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"^{path}:{line}: {key}: "):
        read_sites(path)


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[[site]]\nurl = "https://a.example/\n')
    with pytest.raises(ValueError, match=rf"^{path}: invalid TOML: .*line 2"):
        read_sites(path)


def test_site_settings(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[defaults]\nrate_limit = 2\n\n[[site]]\nurl = "https://a.example/"\n'
                    'feeds = ["https://a.example/feed.xml"]\nheaders = { "X-Archive" = "yes" }\nmax_age_days = 7\n'
                    '[[site]]\nurl = "https://b.example/"\nrate_limit = 0.5\n')
    a, b = read_sites(path)
    assert a.seeds == ["https://a.example/feed.xml"] and b.seeds == ["https://b.example/"]
    assert a.settings["DOWNLOAD_DELAY"] == 2.0 and b.settings["DOWNLOAD_DELAY"] == 0.5
    assert a.settings["DEFAULT_REQUEST_HEADERS"]["X-Archive"] == "yes"
    assert a.settings["MORGUE_SINCE"]


def run_sites(store: Path, sites_file: Path):
    """``morgue crawl --sites`` is not in the argument parser yet (morgue/cli/__init__.py): call run() as it will."""
    code = (
        "import argparse, sys\n"
        "from morgue.cli import crawl\n"
        f"args = argparse.Namespace(url=[], sites={str(sites_file)!r}, store={str(store)!r}, spool=None,\n"
        f"    set={FAST[1::2]!r}, loglevel=None, max_pages=None, since=None, full=False, log_file=None)\n"
        "sys.exit(crawl.run(args))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return Run(proc.returncode, proc.stdout, proc.stderr)


def test_two_sites_in_one_run_each_with_its_headers(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=3) as one, RevisionSite(articles=2) as two:
        sites = tmp_path / "sites.toml"
        sites.write_text(f'[[site]]\nurl = "{one.url}"\nheaders = {{ "X-Archive" = "one" }}\n'
                         f'[[site]]\nurl = "{two.url}"\n')
        run = run_sites(store, sites)
        with one._lock:
            headers_one = [h for _, p, h in one.requests if p.startswith("/news/")]
    assert run.code == 0, run.stderr[-3000:]
    hosts = {urlsplit(r["url"]).port for r in text_records(store)}
    assert len(text_records(store)) == 5 and len(hosts) == 2
    assert headers_one and all(h.get("X-Archive") == "one" for h in headers_one)
    assert run.last_line == "morgue: 2 of 2 sites crawled"
    (report,) = store.glob("reports/*/*/*/*.json")
    assert len(json.loads(report.read_text())["sites"]) == 2


def test_one_site_failing_gives_exit_4(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=2) as one:
        with RevisionSite(articles=1) as gone:
            down = gone.url
        sites = tmp_path / "sites.toml"
        sites.write_text(f'[[site]]\nurl = "{one.url}"\n[[site]]\nurl = "{down}"\n')
        run = run_sites(store, sites)
    assert run.code == 4, run.stderr[-3000:]
    assert run.last_line == f"morgue: 1 of 2 sites crawled; failed: {down}"
    assert len(text_records(store)) == 2


def test_bad_sites_file_fetches_nothing(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text('[[site]]\nurl = "https://a.example/"\nrate_limit = -1\n')
    run = run_sites(tmp_path / "archive", sites)
    assert run.code == 2
    assert run.stderr.strip() == f"morgue: error: {sites}:3: rate_limit: expected seconds between requests " \
                                 "(a number, 0 or more)"
    assert not (tmp_path / "archive").exists()


def test_skip_patterns_are_never_requested(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with RevisionSite(articles=4) as site:
        run = crawl(site.url, store, "-s", "MORGUE_SKIP_URLS=story-number-1/,story-number-3/")
        with site._lock:
            asked = [p for _, p, _ in site.requests]
    assert run.code == 0, run.stderr[-2000:]
    paths = {urlsplit(r["url"]).path for r in text_records(store)}
    assert paths == {site.articles[0].path, site.articles[2].path}
    assert not any("story-number-1/" in p or "story-number-3/" in p for p in asked)
