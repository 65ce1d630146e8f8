"""The extraction pool survives a worker that dies or hangs, and loses no other page.

A real worker process is killed or stuck by the page it is given: the only stand-in is the
extraction function itself, which cannot be made to crash or hang on demand otherwise.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from morgue.items import Page
from morgue.pipelines import extract as pipeline_module
from morgue.pipelines.extract import ExtractPipeline


def faulty_extract(body: bytes, url: str, encoding: str | None) -> dict:
    if body == b"crash":
        os._exit(1)
    if body == b"hang":
        time.sleep(60)
    return {"text": body.decode(), "word_count": 1, "reason": None}


class Stats(Counter):
    def inc_value(self, key, n=1):
        self[key] += n


def run(pipeline, bodies):
    async def go():
        pipeline.open_spider()
        try:
            pages = [Page(url=f"http://n.example/{i}", requested_url="", body=b, encoding="utf-8")
                     for i, b in enumerate(bodies)]
            results = await asyncio.gather(*(pipeline.process_item(p) for p in pages), return_exceptions=True)
            # an item without text is dropped: the record it would have had is still on the page
            return [p.article for p in pages] if results else []
        finally:
            await pipeline.close_spider()

    return asyncio.run(go())


@pytest.fixture
def pipeline(monkeypatch, request):
    monkeypatch.setattr(pipeline_module.worker, "extract_page", faulty_extract)
    recycle = getattr(request, "param", 0)
    return ExtractPipeline(SimpleNamespace(stats=Stats()), workers=1, timeout=3, recycle=recycle)


@pytest.mark.parametrize("pipeline", [0, 3], indirect=True, ids=["no-recycling", "recycling-meanwhile"])
def test_a_dying_worker_costs_only_its_own_page(pipeline):
    out = run(pipeline, [b"one", b"crash", b"two", b"three"])
    texts = [o["text"] for o in out]
    assert texts[0] == "one" and texts[2] == "two" and texts[3] == "three"
    assert "extraction worker crashed" in out[1]["reason"]
    if not pipeline.recycle:
        assert pipeline.stats["extract/worker_restarts"] == 1


def test_a_hanging_page_times_out_and_the_next_pages_are_extracted(pipeline):
    start = time.monotonic()
    out = run(pipeline, [b"hang", b"after"])
    assert out[0]["reason"] == "extraction timed out"
    assert out[1]["text"] == "after"
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("pipeline", [3], indirect=True)
def test_workers_are_recycled(pipeline):
    out = run(pipeline, [f"page {i}".encode() for i in range(8)])
    assert [o["text"] for o in out] == [f"page {i}" for i in range(8)]
    assert pipeline.stats["extract/worker_recycles"] >= 1
