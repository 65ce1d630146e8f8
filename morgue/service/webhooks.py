"""Calling a job's webhook when the job ends: one POST of the job, as ``GET /api/jobs/ID`` gives it.

The webhook URL is a URL a stranger gave, so it passes the same address rules
as the pages the service fetches (``morgue.utils.ssrf``), redirects are not
followed, and the call is bounded in time. Its outcome is kept with the job
(``webhook_status``: the HTTP status, or why it could not be called).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from morgue.service.jobs import JobStore, job_view
from morgue.utils.ssrf import Allowed, RefusedAddress, check_destination

logger = logging.getLogger(__name__)


def notifier(jobs: JobStore, allowed: tuple[Allowed, ...], timeout: float = 10.0
             ) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def notify(job: dict[str, Any]) -> None:
        url = job["webhook"]
        try:
            await check_destination(url, allowed)
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session, \
                    session.post(url, json=job_view(job), allow_redirects=False) as response:
                outcome = str(response.status)
        except RefusedAddress as e:
            outcome = str(e)
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            outcome = f"{type(e).__name__}: {e}".rstrip(": ")
        if not outcome.isdigit() or not outcome.startswith("2"):
            logger.warning("Webhook of job %s: %s", job["id"], outcome)
        jobs.update(job["id"], webhook_status=outcome)

    return notify
