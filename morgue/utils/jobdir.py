"""Keeps the crawl's queue of requests on disk, in a folder of its own for the run.

A sitemap of 20,000 articles is 20,000 requests waiting, about 2.8 KB each
in memory; Scrapy's disk queues (its ``JOBDIR``) hold them in a few MB of
files instead. Unless the user sets ``JOBDIR`` (to pause and resume a
crawl), it points at a fresh folder in the system's temporary directory,
deleted when the process exits; one left by a crawler that was killed
(``kill -9``, the OOM killer) is deleted by the next crawl on the machine.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from scrapy.settings import BaseSettings

PREFIX = "morgue-queue-"


def use_disk_queue(settings: BaseSettings) -> None:
    if settings.get("JOBDIR"):
        return
    temp = Path(tempfile.gettempdir())
    _remove_orphans(temp)
    path = str(temp / f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    settings.set("JOBDIR", path, priority="addon")  # Scrapy's scheduler creates it when the crawl opens
    atexit.register(shutil.rmtree, path, ignore_errors=True)


def _remove_orphans(temp: Path) -> None:
    """Queue folders whose crawler process is gone: requests a killed crawl left."""
    for folder in temp.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive: someone else's
        pass
    return True
