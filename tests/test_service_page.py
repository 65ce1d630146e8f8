"""The service's web page in a real headless Chromium, driven over the Chrome DevTools protocol.

Debian's ``chromium`` package (``apt-get install -y chromium``); the protocol is
spoken with aiohttp's WebSocket client, which Scrapy already brings: no browser
driver package to pin against the browser's version.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time

import aiohttp
import pytest
from test_service import local, serve  # noqa: F401 - fixtures

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium: apt-get install -y chromium (Debian's package)")

EVIL_TITLE = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> Night trains return"
EVIL_PAGE = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{EVIL_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</title></head>
<body><article><h1>{EVIL_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</h1>
{"".join(f"<p>Paragraph {n}: the night train from the coast returns next spring after eleven years, "
         f"the operator said on Tuesday, with sleeper cars rebuilt in the old works by the river.</p>"
         for n in range(8))}
</article></body></html>""".encode()


class Browser:
    """One headless Chromium page: evaluate JavaScript in it, wait for a condition."""

    def __init__(self, profile):
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        self.port = None
        while time.monotonic() < deadline and self.port is None:
            line = self.proc.stderr.readline()
            if not line and self.proc.poll() is not None:
                raise AssertionError("Chromium exited before it was ready")
            if "DevTools listening on ws://" in line:
                self.port = int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        self._ids = iter(range(1, 1 << 30))

    async def __aenter__(self):
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"http://127.0.0.1:{self.port}/json/list") as response:
            pages = [t for t in await response.json() if t["type"] == "page"]
        self.ws = await self.session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()
        await self.session.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)

    async def call(self, method: str, **params):
        ident = next(self._ids)
        await self.ws.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = json.loads((await self.ws.receive()).data)
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(message["error"])
                return message["result"]

    async def js(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value")

    async def until(self, expression: str, timeout: float = 15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = await self.js(expression)
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"never true: {expression}")


def test_page_archives_a_url_and_shows_its_text_safely(local, serve, tmp_path):  # noqa: F811
    site = local(page=EVIL_PAGE)
    port = site.server_address[1]
    server = serve(port)

    async def drive():
        async with Browser(tmp_path / "profile") as page:
            await page.call("Page.navigate", url=server.url + "/")
            await page.until("document.readyState === 'complete' && !!document.getElementById('form')")
            url = f"http://127.0.0.1:{port}/2026/12/03/night-trains/"
            await page.js(f"document.getElementById('urls').value = {json.dumps(url)};"
                          "document.getElementById('save').click(); true")
            state = await page.until("(() => { const s = document.querySelector('#jobs .state');"
                                     " return s && ['done', 'failed'].includes(s.textContent) && s.textContent })()")
            assert state == "done"
            await page.js("document.querySelector('#jobs a.open').click(); true")
            text = await page.until("document.getElementById('capture-text').textContent")
            assert "the night train from the coast returns next spring" in text
            title = await page.js("document.getElementById('capture-title').textContent")
            assert title.startswith("<script>window.pwned = 1</script>")  # shown as text
            assert await page.js("document.querySelector('#jobs a.open').textContent") == title
            assert await page.js("typeof window.pwned") == "undefined"  # and never run
            assert await page.js("document.querySelectorAll('main script, main img').length") == 0
            meta = await page.js("document.getElementById('capture-meta').textContent")
            assert url in meta and "200" in meta
            warc = await page.js("fetch(document.getElementById('capture-warc').href)"
                                 ".then(async r => [r.status, r.headers.get('Content-Type'), (await r.arrayBuffer())"
                                 ".byteLength])")
            assert warc[0] == 200 and warc[1] == "application/warc" and warc[2] > 500
            recent = await page.until("document.querySelectorAll('#recent tr').length")
            assert recent == 1

    asyncio.run(drive())

