"""The archive replays in pywb unchanged: an article's URL gives the article, not its metadata record.

pywb pins old dependencies, so it runs from a virtual environment of its own:
``$MORGUE_PYWB_VENV``, else ``~/.cache/morgue/pywb-venv``, made here (``pip install pywb wacz``)
when it is missing; ``.ci/run`` makes it beforehand. Without it (no network to PyPI) the tests
are skipped, saying how to make it.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import crawl, text_records, warc_files

PYWB_REQUIREMENTS = ("pywb>=2.10,<3", "wacz>=0.6,<0.7")
MAKE_VENV = (f"{sys.executable} -m venv ~/.cache/morgue/pywb-venv && "
             f"~/.cache/morgue/pywb-venv/bin/pip install {' '.join(repr(r) for r in PYWB_REQUIREMENTS)}")


def pywb_venv() -> Path:
    """The virtual environment with pywb and wacz: found, or made; pytest.skip says why not."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = Path(os.environ.get("MORGUE_PYWB_VENV") or cache / "morgue" / "pywb-venv")
    if (venv / "bin" / "wayback").exists() and (venv / "bin" / "wacz").exists():
        return venv
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *PYWB_REQUIREMENTS],
                       check=True, capture_output=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as e:
        detail = getattr(e, "stderr", b"") or b""
        last = detail.decode(errors="replace").strip().splitlines()[-1:] if detail else [str(e)]
        pytest.skip(f"no pywb virtual environment at {venv} ({' '.join(last)}); make it with: {MAKE_VENV}")
    return venv


@pytest.fixture(scope="session")
def venv() -> Path:
    return pywb_venv()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def start_wayback(venv: Path, root: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([str(venv / "bin" / "wayback"), "-b", "127.0.0.1", "-p", str(port), "-d", str(root)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"wayback exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("wayback did not start within 30 s")


def test_pywb_replays_an_archived_article_not_its_metadata_record(site, tmp_path, venv):
    """The README's steps: ``wb-manager init``, ``wb-manager add`` the WARC files, ``wayback``.

    Before the fix, pywb indexed the discovery metadata record (JSON) under the article's URL
    and second, and ``/COLL/<time>id_/<URL>`` answered its 281 bytes instead of the article.
    """
    store = tmp_path / "archive"
    run = crawl(site.url, store)
    assert run.code == 0, run.stderr[-2000:]
    root = tmp_path / "pywb"
    root.mkdir()
    manager = str(venv / "bin" / "wb-manager")
    subprocess.run([manager, "init", "news"], cwd=root, check=True, capture_output=True, timeout=60)
    subprocess.run([manager, "add", "news", *map(str, warc_files(store))], cwd=root, check=True,
                   capture_output=True, timeout=60)
    records = {r["url"]: r for r in text_records(store)}
    article = next(a for a in site.articles if site.url.rstrip("/") + a["path"] in records)
    url = site.url.rstrip("/") + article["path"]
    served = urllib.request.urlopen(url, timeout=10).read()
    stamp = "".join(ch for ch in records[url]["fetched_at"] if ch.isdigit())[:14]
    proc, base = start_wayback(venv, root)
    try:
        status, headers, body = get(f"{base}/news/{stamp}id_/{url}")
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        assert status == 200
        assert headers.get("Content-Type", "").startswith("text/html"), headers
        assert body == served, body[:300]
        # pywb's own CDX API: the URL's captures are the response, not a metadata record
        status, _, cdx = get(f"{base}/news/cdx?url={url}&output=json")
        lines = [line for line in cdx.decode().splitlines() if line.strip()]
        assert status == 200 and lines
        assert all('"mime": "application/json"' not in line and '"status": "200"' in line for line in lines), lines
    finally:
        proc.kill()
        proc.wait(10)
