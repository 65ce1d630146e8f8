"""Crawl throughput, CPU and memory: bare Scrapy, the hand-written pipeline and morgue, side by side.

Usage: python benchmarks/crawl.py [--pages N] [--repeat R] [--baseline] [--soak] [--data DIR]

It serves real article pages (the extraction sets under ``../shared/benchmarks/extraction``, repeated
under new URLs up to ``--pages``) from Debian's nginx on 127.0.0.1, gzip on, linked from a sitemap that
robots.txt names, and crawls them three ways with politeness off:

- ``bare``: Scrapy fetching the sitemap's pages and discarding them;
- ``hand``: the pipeline a user writes by hand: trafilatura ``extract(with_metadata=True,
  output_format="json")`` in the callback and a warcio WARC of the decoded response, in one process;
- ``morgue``: ``python -m morgue crawl SITEMAP --store TMP`` with its default settings.

For each: pages per second (whole command, start-up included), CPU ms per page and peak RSS of the whole
process tree (children included; psutil samples the tree every 0.25 s), and for morgue the share of the
machine's cores it kept busy. Then the overhead check: morgue's CPU per page ÷ (``morgue.extraction.extract``
alone in one process on the same pages + bare Scrapy's CPU per page), and the extraction F1 on AEB of that
same ``extract`` (scored with ``benchmarks/extraction.py``'s metric). ``--baseline`` also times trafilatura
``fast=True`` with metadata on the same pages. ``--soak`` instead runs one 20,000-page morgue crawl and
prints peak RSS and RSS after the first 2,000 pages against the end.

Needs: nginx (``apt-get install nginx-light``) and psutil (benchmark only).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "extraction"
SETS = ("aeb", "fundus", "dragnet")  # AEB first: its pages are always among those crawled
POLITENESS_OFF = {
    "ROBOTSTXT_OBEY": "True",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
}
SOAK_PAGES, SOAK_MARK = 20_000, 2_000


# --- the site ----------------------------------------------------------------------------------


@dataclass
class SitePage:
    path: str  # URL path on the benchmark site
    source: str  # "<set>/<id>": the page's file in the data folder


def source_pages(data: Path) -> list[str]:
    """``<set>/<id>`` of every page that morgue itself calls an article or says nothing of.

    Pages whose own metadata says they are an index (about 5%) are left out, so that all three
    pipelines extract the same pages.
    """
    out = _child("kinds", str(data))
    return json.loads(out)


_HEAD = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)
_BASE = re.compile(rb"<base\s", re.IGNORECASE)


def with_base(html: bytes, url: str) -> bytes:
    """The page with a ``<base href>`` naming its original address (if it has no base of its own).

    Served from the benchmark host, a page's relative links would otherwise all lead to that host,
    and every "related article" link to a 404 (six or seven a page): with the base they lead back
    to the page's own site, as they did there, and the crawl stays within the pages of the sitemap.
    """
    if _BASE.search(html[:200_000]):
        return html
    tag = b'<base href="' + html_escape(url).encode() + b'">'
    m = _HEAD.search(html)
    return html[: m.end()] + tag + html[m.end():] if m else tag + html


def original_urls(data: Path) -> dict[str, str]:
    urls = {}
    for name in SETS:
        truth = json.loads((data / name / "ground-truth.json").read_text(encoding="utf-8"))
        urls.update({f"{name}/{k}": v.get("url") or "" for k, v in truth.items()})
    return urls


def build_site(root: Path, data: Path, sources: list[str], n: int) -> tuple[list[SitePage], Path]:
    """The document root: pages (symlinks to gzipped copies, served by gzip_static), sitemap, robots."""
    www = root / "www"
    src = root / "src"
    src.mkdir(parents=True)
    urls = original_urls(data)
    for s in sources:
        name, page_id = s.split("/")
        html = gzip.decompress((data / name / "html" / f"{page_id}.html.gz").read_bytes())
        html = with_base(html, urls.get(s) or f"https://{name}.example.org/{page_id}")
        (src / f"{name}-{page_id}.html.gz").write_bytes(gzip.compress(html, 6, mtime=0))
    pages = []
    for k in range(n):
        s = sources[k % len(sources)]
        month, day = 1 + k % 12, 1 + k % 28
        path = f"/2024/{month:02d}/{day:02d}/story-{k:05d}-{s.replace('/', '-')[:40]}.html"
        target = www / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(src / (s.replace("/", "-") + ".html.gz"), str(target) + ".gz")
        pages.append(SitePage(path, s))
    return pages, www


def write_discovery(www: Path, base: str, pages: list[SitePage]) -> None:
    urls = "".join(f"<url><loc>{base}{p.path}</loc><lastmod>2024-06-01</lastmod></url>\n" for p in pages)
    (www / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )
    (www / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")


NGINX_CONF = """\
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    log_format bench '$status $request_uri';
    access_log {root}/access.log bench;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    sendfile on;
    keepalive_requests 1000000;
    gzip on;
    gzip_static on;
    gzip_types text/plain application/xml text/xml;
    server {{
        listen 127.0.0.1:{port};
        root {www};
    }}
}}
"""


@contextmanager
def nginx_serving(root: Path, www: Path) -> Iterator[Nginx]:
    server = Nginx(root, www)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """Debian's nginx on a free loopback port, with its own config and prefix under ``root``."""

    def __init__(self, root: Path, www: Path):
        self.root, self.www = root, www
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = root / "access.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise SystemExit("nginx not found: apt-get install nginx-light")
        (self.root / "tmp").mkdir(exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(NGINX_CONF.format(root=self.root, www=self.www, port=self.port))
        self.proc = subprocess.Popen([nginx, "-p", str(self.root), "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise SystemExit(f"nginx did not start: {(self.root / 'error.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def requests_since(self, offset: int) -> list[tuple[str, str]]:
        with open(self.log, "rb") as f:
            f.seek(offset)
            return [tuple(line.decode().split(" ", 1)) for line in f.read().splitlines() if line]


# --- measuring a process tree ------------------------------------------------------------------


@dataclass
class Usage:
    wall: float = 0.0
    cpu: float = 0.0  # seconds, all processes of the tree
    peak_rss: int = 0  # bytes, sum over the tree at its largest
    peak_pss: int = 0  # the same in PSS: pages shared by workers and their forkserver counted once
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (time, rss, nginx requests)
    proc_peaks: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid -> (role, peak RSS)
    code: int = 0
    machine_cpu: float = 0.0  # seconds of CPU used by every process on the machine meanwhile

    def others(self) -> float:
        """Cores' worth of CPU that other processes (nginx, other users) took during the run."""
        return max(0.0, self.machine_cpu - self.cpu) / self.wall


def run_measured(cmd: list[str], env: dict, log: Path, nginx: Nginx | None = None,
                 interval: float = 0.25) -> Usage:
    """Run ``cmd`` and sample its process tree's CPU and RSS until it exits."""
    import psutil

    usage = Usage()
    cpu_by_proc: dict[tuple[int, float], float] = {}
    start = time.monotonic()
    machine_start = _machine_busy()
    log_offset = nginx.log_size() if nginx else 0
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)

        def sample() -> None:
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            rss = pss = 0
            for p in procs:
                try:
                    with p.oneshot():
                        t = p.cpu_times()
                        cpu_by_proc[(p.pid, p.create_time())] = t.user + t.system
                        mem = p.memory_full_info()
                        rss += mem.rss
                        pss += mem.pss
                        role, peak = usage.proc_peaks.get(p.pid) or (_role(p), 0)
                        usage.proc_peaks[p.pid] = (role, max(peak, mem.rss))
                except psutil.NoSuchProcess:
                    continue
            usage.peak_rss = max(usage.peak_rss, rss)
            usage.peak_pss = max(usage.peak_pss, pss)
            done = _lines(nginx.log, log_offset) if nginx and usage.samples is not None else 0
            usage.samples.append((time.monotonic() - start, rss, done))

        while proc.poll() is None:
            sample()
            time.sleep(interval)
        usage.code = proc.returncode
    usage.wall = time.monotonic() - start
    usage.machine_cpu = _machine_busy() - machine_start
    usage.cpu = sum(cpu_by_proc.values())
    return usage


def _role(p) -> str:
    """What a process of the tree is, for the memory breakdown."""
    cmd = " ".join(p.cmdline())
    if "resource_tracker" in cmd:
        return "resource tracker"
    if "forkserver" in cmd:  # the forkserver and the workers it forks share its command line
        parent = p.parent()
        return "extraction worker" if parent and "forkserver" in " ".join(parent.cmdline()) else "forkserver"
    if "multiprocessing" in cmd:
        return "extraction worker"
    return "crawler"


def peaks_by_role(usage: Usage) -> str:
    """Largest RSS each kind of process reached (workers: the largest one, and how many ran)."""
    roles: dict[str, list[int]] = {}
    for role, peak in usage.proc_peaks.values():
        roles.setdefault(role, []).append(peak)
    return ", ".join(f"{role} {max(v) / 2**20:.0f} MB" + (f" (x{len(v)} over the run)" if len(v) > 1 else "")
                     for role, v in roles.items())


def _machine_busy() -> float:
    import psutil

    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)


def _lines(path: Path, offset: int) -> int:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().count(b"\n")
    except OSError:
        return 0


# --- the three crawls --------------------------------------------------------------------------


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.pop("MORGUE_STORE", None)
    return env


def scrapy_cmd(kind: str, sitemap: str, out: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", kind, sitemap, str(out)]


def morgue_cmd(sitemap: str, out: Path, extra: list[str] = ()) -> list[str]:
    cmd = [sys.executable, "-m", "morgue", "crawl", sitemap, "--store", str(out / "store")]
    for pair in [*(f"{name}={value}" for name, value in POLITENESS_OFF.items()), *extra]:
        cmd += ["-s", pair]
    return cmd


@dataclass
class Result:
    name: str
    pages: int
    usage: Usage
    requests: int
    outputs: str = ""

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.usage.wall

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.usage.cpu / self.pages

    @property
    def busy(self) -> float:
        return self.usage.cpu / (self.usage.wall * (os.cpu_count() or 1))


def crawl_once(kind: str, nginx: Nginx, n: int, work: Path, extra: list[str] = ()) -> Result:
    out = work / f"{kind}-{time.monotonic_ns()}"
    out.mkdir()
    sitemap = f"{nginx.base}/sitemap.xml"
    cmd = morgue_cmd(sitemap, out, extra) if kind == "morgue" else scrapy_cmd(kind, sitemap, out)
    offset = nginx.log_size()
    usage = run_measured(cmd, child_env(), out / "log.txt", nginx)
    requests = nginx.requests_since(offset)
    fetched = sum(1 for status, path in requests if path.startswith("/2024/") and status == "200")
    if usage.code != 0 or fetched < n:
        tail = (out / "log.txt").read_text(errors="replace")[-3000:]
        print(f"warning: {kind} exited {usage.code} after fetching {fetched}/{n} pages:\n{tail}",
              file=sys.stderr)
    outputs = ""
    if kind == "morgue":
        outputs = count_morgue_outputs(out / "store")
    elif kind == "hand":
        outputs = (out / "outputs.txt").read_text().strip() if (out / "outputs.txt").exists() else ""
    result = Result(kind, n, usage, len(requests), outputs)
    shutil.rmtree(out, ignore_errors=True)
    return result


def count_morgue_outputs(store: Path) -> str:
    texts = with_date = with_lang = 0
    for path in store.glob("text/*/*/*/*.jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                texts += 1
                with_date += bool(record.get("published"))
                with_lang += bool(record.get("language"))
    responses = 0
    for path in store.glob("warc/*/*/*/*.warc.gz"):
        with gzip.open(path, "rb") as f:
            responses += f.read().count(b"WARC-Type: response\r\n")
    return (f"{responses} WARC responses, {texts} text records "
            f"({with_date} with a date, {with_lang} with a language)")


# --- extraction alone ----------------------------------------------------------------------------


def extraction_alone(data: Path, sources: list[str], baseline: bool) -> dict:
    """morgue's extract() (and trafilatura fast=True, if asked) per unique page, in one process."""
    listing = Path(tempfile.mkstemp(suffix=".json")[1])
    listing.write_text(json.dumps(sources))
    try:
        args = ["extract", str(data), str(listing)] + (["baseline"] if baseline else [])
        return json.loads(_child(*args))
    finally:
        listing.unlink()


def _child(*args: str) -> str:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args],
                          cwd=REPO, env=child_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark helper {args[0]} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def aeb_f1(texts: dict[str, str], data: Path) -> str:
    try:
        from aeb_metric import bootstrap_f1, corpus_score, score_page
        from extraction import load_pages
    except ImportError as e:
        return f"skipped: the extraction scorer is not importable ({e})"
    scores = [score_page(texts.get(f"aeb/{page_id}", ""), truth)
              for page_id, _, _, truth in load_pages(data, "aeb", "all")]
    total = corpus_score(scores)
    lo, hi = bootstrap_f1(scores)
    return (f"F1 {total.f1:.3f} (90% CI {lo:.3f}-{hi:.3f}), P {total.precision:.3f}, "
            f"R {total.recall:.3f} over {len(scores)} AEB pages")


# --- child processes: the spiders and helpers ----------------------------------------------------


def child_main(args: list[str]) -> int:
    kind = args[0]
    if kind in ("bare", "hand"):
        return run_spider(kind, args[1], Path(args[2]))
    if kind == "kinds":
        from morgue.discovery.pages import page_kind

        data = Path(args[1])
        keep = []
        for name in SETS:
            for path in sorted((data / name / "html").glob("*.html.gz")):
                if page_kind(gzip.decompress(path.read_bytes()), "") != "index":
                    keep.append(f"{name}/{path.name.removesuffix('.html.gz')}")
        print(json.dumps(keep))
        return 0
    if kind == "extract":
        print(json.dumps(time_extraction(Path(args[1]), json.loads(Path(args[2]).read_text()),
                                         baseline="baseline" in args[3:])))
        return 0
    raise SystemExit(f"unknown helper {kind}")


def time_extraction(data: Path, sources: list[str], baseline: bool) -> dict:
    import trafilatura

    from morgue.extraction import extract

    truth = {}
    for name in SETS:
        gt = data / name / "ground-truth.json"
        if gt.exists():
            truth.update({f"{name}/{k}": v.get("url") or "" for k, v in json.loads(gt.read_text()).items()})
    extract(b"<html><body><p>warm up</p></body></html>", "http://example.org/", "utf-8")
    aeb = sorted(f"aeb/{p.name.removesuffix('.html.gz')}" for p in (data / "aeb" / "html").glob("*.html.gz"))
    result: dict = {"morgue_cpu": {}, "trafilatura_cpu": {}, "aeb_texts": {}}
    for s in dict.fromkeys([*sources, *aeb]):
        name, page_id = s.split("/", 1)
        body = gzip.decompress((data / name / "html" / f"{page_id}.html.gz").read_bytes())
        url = truth.get(s) or f"http://127.0.0.1/2024/01/01/story-{page_id}.html"
        t0 = time.process_time()
        record = extract(body, url, "utf-8")
        result["morgue_cpu"][s] = time.process_time() - t0
        if name == "aeb":
            result["aeb_texts"][s] = record.get("text") or ""
        if baseline:
            t0 = time.process_time()
            trafilatura.extract(body.decode("utf-8", "replace"), url=url, with_metadata=True, fast=True,
                                include_comments=False, output_format="json")
            result["trafilatura_cpu"][s] = time.process_time() - t0
    return result


def run_spider(kind: str, sitemap: str, out: Path) -> int:
    """The two reference crawls: ``bare`` discards pages, ``hand`` is the hand-written pipeline."""
    from io import BytesIO

    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.spiders import SitemapSpider

    class BareSpider(SitemapSpider):
        name = "bare"
        sitemap_urls = (sitemap,)

        def parse(self, response):
            return None

    class HandSpider(SitemapSpider):
        """What a user writes: trafilatura in the callback, a WARC written from the decoded response."""

        name = "hand"
        sitemap_urls = (sitemap,)

        def __init__(self, *a, **kw):
            import trafilatura
            from warcio.statusandheaders import StatusAndHeaders
            from warcio.warcwriter import WARCWriter

            super().__init__(*a, **kw)
            self.trafilatura, self.StatusAndHeaders = trafilatura, StatusAndHeaders
            self.warc_file = open(out / "crawl.warc.gz", "wb")  # noqa: SIM115 -- open for the whole crawl
            self.warc = WARCWriter(self.warc_file, gzip=True)
            self.text_file = open(out / "articles.jsonl", "w", encoding="utf-8")  # noqa: SIM115
            self.records = self.texts = 0

        def parse(self, response):
            headers = [(k.decode("latin-1"), v.decode("latin-1"))
                       for k, vs in response.headers.items() for v in vs]
            http_headers = self.StatusAndHeaders(f"{response.status} OK", headers, protocol="HTTP/1.1")
            record = self.warc.create_warc_record(response.url, "response", payload=BytesIO(response.body),
                                                  length=len(response.body), http_headers=http_headers)
            self.warc.write_record(record)
            self.records += 1
            result = self.trafilatura.extract(response.text, url=response.url, with_metadata=True,
                                              include_comments=False, output_format="json")
            if result:
                self.text_file.write(result.replace("\n", " ") + "\n")
                self.texts += 1

        def closed(self, reason):
            self.warc_file.close()
            self.text_file.close()
            (out / "outputs.txt").write_text(f"{self.records} WARC responses, {self.texts} text records")

    process = AsyncCrawlerProcess(dict(POLITENESS_OFF), install_root_handler=True)
    process.crawl(BareSpider if kind == "bare" else HandSpider)
    process.start()
    return 0


# --- report ------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        print("  ".join(cells).rstrip())


def benchmark(args: argparse.Namespace) -> int:
    cores = os.cpu_count() or 1
    sources = source_pages(args.data)
    with tempfile.TemporaryDirectory(prefix="morgue-bench-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # nginx's workers run unprivileged
        pages, www = build_site(root, args.data, sources, args.pages)
        with nginx_serving(root, www) as nginx:
            write_discovery(www, nginx.base, pages)
            work = root / "runs"
            work.mkdir()
            print(f"site: {len(pages)} article pages ({len({p.source for p in pages})} distinct) "
                  f"at {nginx.base}/sitemap.xml; {cores} cores; {args.repeat} rounds, medians shown",
                  flush=True)
            runs: dict[str, list[Result]] = {k: [] for k in ("bare", "hand", "morgue") if k in args.only}
            for i in range(args.repeat):
                for kind, results in runs.items():
                    r = crawl_once(kind, nginx, len(pages), work, args.set or [])
                    results.append(r)
                    print(f"  round {i + 1} {kind:6s}: {r.pages_per_s:6.1f} pages/s, {r.cpu_ms:6.1f} CPU ms/page, "
                          f"peak RSS {r.usage.peak_rss / 2**20:4.0f} MB (PSS {r.usage.peak_pss / 2**20:4.0f}), "
                          f"{r.requests} requests" + (f", busy {r.busy:.2f}" if kind == "morgue" else "")
                          + f"; other processes used {r.usage.others():.2f} cores", flush=True)
                    if kind == "morgue":
                        print(f"    peak RSS by process: {peaks_by_role(r.usage)}", flush=True)
    if set(runs) != {"bare", "hand", "morgue"}:
        return 0
    weights = {}
    for p in pages:
        weights[p.source] = weights.get(p.source, 0) + 1
    alone = extraction_alone(args.data, list(weights), args.baseline)

    def per_page(cpu: dict[str, float]) -> float:
        return 1000 * sum(cpu[s] * w for s, w in weights.items()) / len(pages)

    med = {k: {"pps": median([r.pages_per_s for r in v]), "cpu": median([r.cpu_ms for r in v]),
               "rss": median([r.usage.peak_rss for r in v]) / 2**20,
               "pss": median([r.usage.peak_pss for r in v]) / 2**20, "busy": median([r.busy for r in v])}
           for k, v in runs.items()}
    print()
    labels = {"bare": "bare Scrapy (fetch, discard)", "hand": "hand-written (trafilatura + warcio in callback)",
              "morgue": "morgue crawl (default settings, politeness off)"}
    rows = [["pipeline", "pages/s", "CPU ms/page", "peak RSS MB", "(PSS MB)", "cores busy"]]
    for k, m in med.items():
        rows.append([labels[k], f"{m['pps']:.1f}", f"{m['cpu']:.1f}", f"{m['rss']:.0f}", f"{m['pss']:.0f}",
                     f"{m['busy']:.2f}"])
    print_table(rows)
    print()
    print(f"morgue / hand-written throughput: {med['morgue']['pps'] / med['hand']['pps']:.2f}x  (target >= 2.5)")
    print(f"morgue cores busy, CPU / (wall x {cores} cores): {med['morgue']['busy']:.2f}  (target >= 0.9)")
    extract_ms = per_page(alone["morgue_cpu"])
    print(f"morgue extract() alone, one process: {extract_ms:.1f} CPU ms/page")
    if alone["trafilatura_cpu"]:
        print(f"trafilatura extract(fast=True, with_metadata=True) alone: "
              f"{per_page(alone['trafilatura_cpu']):.1f} CPU ms/page")
    bound = extract_ms + med["bare"]["cpu"]
    print(f"overhead: morgue {med['morgue']['cpu']:.1f} / (extract {extract_ms:.1f} + bare Scrapy "
          f"{med['bare']['cpu']:.1f}) = {med['morgue']['cpu'] / bound:.2f}  (target <= 1.15)")
    print(f"ceiling at that cost: {cores} cores / {bound:.1f} ms = {1000 * cores / bound:.0f} pages/s")
    print(f"morgue output (last round): {runs['morgue'][-1].outputs}")
    print(f"hand-written output (last round): {runs['hand'][-1].outputs}")
    print(f"morgue extract() on AEB: {aeb_f1(alone['aeb_texts'], args.data)}")
    return 0


def soak(args: argparse.Namespace) -> int:
    sources = source_pages(args.data)
    with tempfile.TemporaryDirectory(prefix="morgue-soak-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        pages, www = build_site(root, args.data, sources, SOAK_PAGES)
        with nginx_serving(root, www) as nginx:
            write_discovery(www, nginx.base, pages)
            out = root / "run"
            out.mkdir()
            print(f"soak: morgue over {len(pages)} pages at {nginx.base}/sitemap.xml", flush=True)
            usage = run_measured(morgue_cmd(f"{nginx.base}/sitemap.xml", out, args.set or []), child_env(),
                                 out / "log.txt", nginx, interval=0.5)
            if usage.code != 0:
                print((out / "log.txt").read_text(errors="replace")[-3000:], file=sys.stderr)
    # Medians over a window, not single samples: a worker parsing a 2 MB page adds a passing
    # 30 MB at any moment. "After 2,000 pages": 1,500-2,500; "the end": the last tenth, before
    # the workers exit.
    def window(low: float, high: float) -> int:
        return int(median([rss for _, rss, done in usage.samples if low <= done <= high] or [0]))

    at_mark = window(0.75 * SOAK_MARK, 1.25 * SOAK_MARK)
    at_end = window(0.9 * SOAK_PAGES, 0.99 * SOAK_PAGES)
    print(f"wall {usage.wall:.0f} s, {len(pages) / usage.wall:.1f} pages/s, "
          f"{1000 * usage.cpu / len(pages):.1f} CPU ms/page, cores busy "
          f"{usage.cpu / (usage.wall * (os.cpu_count() or 1)):.2f}; other processes used {usage.others():.2f} cores")
    print(f"peak RSS, all morgue processes: {usage.peak_rss / 2**20:.0f} MB, PSS {usage.peak_pss / 2**20:.0f} MB"
          "  (target < 400)")
    print(f"peak RSS by process: {peaks_by_role(usage)}")
    print(f"RSS after {SOAK_MARK} pages (median, 1,500-2,500): {at_mark / 2**20:.0f} MB; "
          f"at the end (median, last tenth): {at_end / 2**20:.0f} MB "
          f"({100 * (at_end - at_mark) / max(at_mark, 1):+.1f}%, target within 10%)")
    step = max(1, len(usage.samples) // 20)
    print("pages done, RSS MB:", ", ".join(f"{d}:{r / 2**20:.0f}" for _, r, d in usage.samples[::step]))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1500, help="article pages on the site (default 1500)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the three crawls (medians shown)")
    parser.add_argument("--baseline", action="store_true", help="also time trafilatura fast=True alone")
    parser.add_argument("--soak", action="store_true", help=f"one {SOAK_PAGES}-page morgue crawl: memory")
    parser.add_argument("--only", default="bare,hand,morgue", help="crawls to run (comma-separated)")
    parser.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                        help="an extra setting for the morgue crawl (to try one out)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    args.only = [k.strip() for k in args.only.split(",")]
    return soak(args) if args.soak else benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
