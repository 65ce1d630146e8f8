"""The extraction pool survives a worker that dies or hangs, and gives up no other page.

Real worker processes are killed or stuck by the page they are given: the only stand-in is
the function the workers run (the pool takes it as a parameter), since the extractor cannot
be made to crash or hang on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from scrapy.exceptions import DropItem

from morgue.extraction import worker
from morgue.extraction.pool import ExtractionPool, PageFailed, WorkersUnavailable
from morgue.items import Page
from morgue.pipelines.extract import ExtractPipeline


def faulty(body: bytes) -> str:
    """What a worker does with a test page: ``crash``, ``hang``, ``sleep:SECONDS`` or echo."""
    if body == b"crash":
        os._exit(1)
    if body == b"hang":
        time.sleep(60)
    if body.startswith(b"sleep:"):
        time.sleep(float(body[6:]))
    return body.decode()


def failing_start() -> None:
    raise ImportError("No module named 'trafilatura'\n(and a second line nobody needs)")


def pages(pool: ExtractionPool, bodies: list[bytes], stagger: float = 0.0) -> list:
    """Run ``bodies`` through ``pool`` at once (or ``stagger`` seconds apart): results or PageFailed."""

    async def one(i: int, body: bytes):
        await asyncio.sleep(i * stagger)
        try:
            return await pool.run(body)
        except PageFailed as e:
            return e

    async def go():
        await pool.start()  # as the pipeline does: the time limit then never counts a worker's start
        try:
            return await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))
        finally:
            await pool.close()

    return asyncio.run(go())


@pytest.mark.parametrize("recycle", [0, 3], ids=["no-recycling", "recycling-meanwhile"])
def test_a_dying_worker_costs_only_its_own_page(recycle):
    pool = ExtractionPool(2, timeout=10, recycle=recycle, function=faulty)
    out = pages(pool, [b"one", b"crash", b"two", b"three", b"four"])
    assert [out[i] for i in (0, 2, 3, 4)] == ["one", "two", "three", "four"]
    assert isinstance(out[1], PageFailed) and out[1].reason == "the extraction worker died on this page"
    assert pool.restarts >= 1


def test_pages_in_flight_when_a_stuck_pool_is_replaced_are_run_again():
    pool = ExtractionPool(2, timeout=4, function=faulty)
    start = time.monotonic()
    # the stuck page starts first; the other, from 2 s to 4.5 s, is mid-page when the first is killed at 4 s
    out = pages(pool, [b"hang", b"sleep:2.5"], stagger=2.0)
    assert isinstance(out[0], PageFailed) and "took over 4s" in out[0].reason
    assert out[1] == "sleep:2.5"
    assert pool.restarts == 1
    assert time.monotonic() - start < 15


def test_the_time_limit_counts_only_time_spent_on_the_page():
    # one worker, three pages of 1 s each at once: the last one is done 3 s after it was asked for, of which
    # 2 s waiting, which is not its own time (a limit of 2.5 s leaves 1.5 s for a loaded machine's scheduling)
    pool = ExtractionPool(1, timeout=2.5, function=faulty)
    assert pages(pool, [b"sleep:1", b"sleep:1", b"sleep:1"]) == ["sleep:1"] * 3
    assert pool.restarts == 0


def test_a_hanging_page_times_out_and_the_next_pages_are_extracted():
    pool = ExtractionPool(1, timeout=1.5, function=faulty)
    out = pages(pool, [b"hang", b"after"])
    assert isinstance(out[0], PageFailed) and out[1] == "after"


def test_workers_are_recycled():
    pool = ExtractionPool(2, timeout=10, recycle=3, function=faulty)
    bodies = [f"page {i}".encode() for i in range(8)]
    assert pages(pool, bodies) == [b.decode() for b in bodies]
    assert pool.recycles >= 1 and pool.restarts == 0


def test_workers_that_cannot_start_are_one_error_not_a_pool_per_page():
    pool = ExtractionPool(2, timeout=10, function=faulty, initializer=failing_start)

    async def go():
        with pytest.raises(WorkersUnavailable) as start_error:
            await pool.start()
        for _ in range(3):
            with pytest.raises(WorkersUnavailable):
                await pool.run(b"page")
        await pool.close()
        return str(start_error.value)

    message = asyncio.run(go())
    assert message == "extraction workers cannot start: ImportError: No module named 'trafilatura'"
    assert pool.restarts == 0


class Stats(Counter):
    def inc_value(self, key, n=1):
        self[key] += n

    def set_value(self, key, value):
        self[key] = value


def test_the_crawl_extracts_in_its_own_process_when_workers_cannot_start(caplog):
    pool = ExtractionPool(1, timeout=10, function=worker.extract_page, initializer=failing_start)
    pipeline = ExtractPipeline(SimpleNamespace(stats=Stats()), pool)
    html = b"<html><body><article>" + b"<p>A sentence of the article that is long enough to keep.</p>" * 20
    items = [Page(url=f"http://n.example/{i}", requested_url="", body=html, encoding="utf-8") for i in range(3)]

    async def go():
        await pipeline.open_spider()
        for item in items:
            with contextlib.suppress(DropItem):
                await pipeline.process_item(item)
        await pipeline.close_spider()

    with caplog.at_level(logging.ERROR):
        asyncio.run(go())
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [("extraction workers cannot start: ImportError: No module named 'trafilatura'; "
                       "extracting in the crawler process instead (no time limit per page)")]
    assert all("A sentence of the article" in item.article["text"] for item in items)
    assert pipeline.stats["extract/in_process"] is True and pipeline.stats["extract/ok"] == 3
