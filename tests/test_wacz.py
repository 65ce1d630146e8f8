"""``morgue wacz``: a crawl's WARC files as a WACZ file that ``wacz validate`` passes."""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest

from tests.conftest import crawl, text_records, warc_files
from tests.test_cdxj import morgue as command
from tests.test_replay_pywb import venv  # noqa: F401 -- the fixture: pywb's and wacz's environment


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    from morgue.testsite import NewsSite

    store = tmp_path_factory.mktemp("archive")
    with NewsSite() as site:
        run = crawl(site.url, store)
        assert run.code == 0, run.stderr[-2000:]
    out = tmp_path_factory.mktemp("wacz") / "news.wacz"
    run = command("wacz", "--store", str(store), "-o", str(out), "--title", "Gazette")
    yield store, out, run


def validate(venv_path, path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv_path / "bin" / "wacz"), "validate", "-f", str(path)], capture_output=True,
                          text=True, timeout=120, cwd=path.parent, check=False)


def test_wacz_validate_passes(packed, venv):  # noqa: F811
    store, out, run = packed
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == str(out)
    result = validate(venv, out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout
    # a package whose files do not match their hashes fails: the check is real
    bad = out.with_name("bad.wacz")
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "pages/pages.jsonl":
                data = data.replace(b"Articles", b"Changed!")
            dst.writestr(info, data)
    result = validate(venv, bad)
    assert result.returncode == 1 and "Validation failed" in result.stdout


def test_the_package_holds_the_warc_files_their_index_and_the_articles(packed):
    store, out, _ = packed
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        for path in warc_files(store):
            assert z.read(f"archive/{path.name}") == path.read_bytes()
            assert z.getinfo(f"archive/{path.name}").compress_type == zipfile.ZIP_STORED
        lines = z.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()]
        package = json.loads(z.read("datapackage.json"))
    assert {"datapackage.json", "datapackage-digest.json", "indexes/index.cdx", "pages/pages.jsonl"} <= set(names)
    assert lines == sorted(lines) and all(json.loads(line.split(" ", 2)[2])["filename"] in
                                          {p.name for p in warc_files(store)} for line in lines)
    assert pages[0]["format"] == "json-pages-1.0"
    records = text_records(store)
    titles = {p["url"]: p.get("title") for p in pages[1:]}
    for r in records:
        assert titles[r["url"]] == r["title"]
    assert package["title"] == "Gazette" and package["wacz_version"] == "1.1.1"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--since", "2999-01-01"], 1, "morgue: error: no WARC files to package in store"),
    (["--warc", "nope.warc.gz"], 2, "morgue: error: no WARC file nope.warc.gz in store"),
    (["--until", "someday"], 2, "morgue: error: invalid --until 'someday'"),
])
def test_bad_input_is_one_line(packed, tmp_path, args, code, message):
    store, _, _ = packed
    run = command("wacz", "--store", str(store), "-o", str(tmp_path / "x.wacz"), *args)
    assert run.code == code
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith(message), run.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_an_existing_file_is_never_overwritten(packed):
    store, out, _ = packed
    before = out.read_bytes()
    run = command("wacz", "--store", str(store), "-o", str(out))
    assert run.code == 2 and "exists" in run.stderr
    assert out.read_bytes() == before
