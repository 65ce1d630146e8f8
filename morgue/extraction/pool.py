"""A pool of extraction worker processes: time limits, restarts, recycling. No Scrapy here.

Extraction is CPU-bound Python over lxml, so pages go to worker processes
(``forkserver``: never fork a crawler that already runs the reactor's
threads). What the pool guarantees:

- **A time limit counts only a worker's own time on the page.** No more
  pages are handed to the processes than there are workers, so a page
  handed over starts at once instead of waiting behind others.
- **Only the guilty page is given up.** A page that runs past the limit is
  given up and its pool replaced (stuck C code cannot be interrupted any
  other way); the pages that were on the other workers are run again on
  the new pool. When a worker dies on its own, every page in flight sees the
  pool break and none can tell whose page killed it: each is run again
  alone, and the one that breaks a pool alone is given up.
- **Workers never outlive the crawler**, even one stuck in C code: the
  kernel kills a worker when the forkserver ends, and the forkserver ends
  with the crawler (see ``_die_with_forkserver``); each worker also watches
  the crawler's process itself, should the forkserver linger.
- **A worker that cannot start is one clear error**, ``WorkersUnavailable``,
  not a new pool for every page.
- **Fresh workers from time to time** (``recycle`` pages): lxml and Python
  never give all memory back. Old workers finish and exit before new ones
  start, so two sets never hold memory at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import Any, NoReturn

#: prctl option: a signal for this process when its parent ends (linux/prctl.h)
_PR_SET_PDEATHSIG = 1


class PageFailed(Exception):
    """The page was given up: it ran past the time limit or its worker died on it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class WorkersUnavailable(Exception):
    """The worker processes cannot start; the message is one line saying why."""


class WorkerStartError(Exception):
    """Raised in a worker whose initializer failed, for each call it is given (picklable)."""


# --- what runs in a worker process ------------------------------------------------------------

#: why this worker's initializer failed, if it did
_start_error: str | None = None


def _start_worker(watch_pid: int | None, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    """A worker's start: its life tied to the crawler's, then the initializer (its failure kept for ``_call``)."""
    global _start_error  # noqa: PLW0603 (one per worker process)
    _die_with_forkserver()
    if watch_pid is not None:
        _exit_when_gone(watch_pid)
    if initializer is None:
        return
    try:
        initializer(*initargs)
    except BaseException as e:  # noqa: BLE001 -- reported to the crawler by the worker's first call
        lines = str(e).strip().splitlines()
        _start_error = f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def _call(function: Callable[..., Any], args: tuple) -> Any:
    if _start_error is not None:
        raise WorkerStartError(_start_error)
    return function(*args)


def _ready() -> None:
    """A no-op call: returns once a worker is up (or raises why it cannot be)."""
    if _start_error is not None:
        raise WorkerStartError(_start_error)


def _die_with_forkserver() -> None:
    """Have the kernel kill this worker when the forkserver ends, and the forkserver end with the crawler.

    The forkserver exits once every holder of its "alive" pipe has closed it: the crawler,
    when it dies, and each worker, which inherits a copy it never uses (multiprocessing's
    ``_forkserver_alive_fd``, the one private name read here). A worker stuck in C code,
    which no thread of its own can stop, then dies at once with a killed crawler.
    """
    if sys.platform != "linux":
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    state = getattr(forkserver, "_forkserver", None)
    fd = getattr(state, "_forkserver_alive_fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        state._forkserver_alive_fd = None


def _exit_when_gone(pid: int) -> None:
    """Exit this process as soon as process ``pid`` ends (a daemon thread waits for it)."""
    try:
        fd = os.pidfd_open(pid)  # Linux 5.3+: readable when the process ends; immune to PID reuse
    except (AttributeError, OSError):
        fd = None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:
            pass

    def watch() -> None:
        if fd is not None:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            poller.poll()
            os._exit(0)
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass  # alive, under another user: only a reused PID could be

    threading.Thread(target=watch, name="morgue-watch-crawler", daemon=True).start()


# --- the crawler's side -------------------------------------------------------------------------

#: what an attempt returns instead of a result: run the page again, or run it again alone
_AGAIN, _ALONE = object(), object()


class ExtractionPool:
    """``await pool.run(*args)`` calls ``function(*args)`` in a worker process.

    ``function``, ``initializer`` and their arguments must be picklable (module-level
    functions, bytes and strings). ``watch_pid`` is the process whose end the workers
    follow (the calling process by default).
    """

    def __init__(
        self,
        workers: int,
        timeout: float,
        recycle: int = 0,
        *,
        function: Callable[..., Any],
        initializer: Callable[..., Any] | None = None,
        initargs: tuple = (),
        preload: tuple[str, ...] = (),
        watch_pid: int | None = None,
    ):
        if workers < 1:
            raise ValueError("an extraction pool needs at least one worker")
        self.workers = workers
        self.timeout = timeout
        self.recycle = recycle
        self.function = function
        self.initializer = initializer
        self.initargs = initargs
        self.preload = (__name__, function.__module__, *preload)
        self.watch_pid = os.getpid() if watch_pid is None else watch_pid
        #: pools replaced so far because a page hung or killed a worker; recycled for memory
        self.restarts = 0
        self.recycles = 0
        self._executor: ProcessPoolExecutor | None = None
        self._pages = 0  # pages handed to the current executor
        # why each replaced executor was let go: "killed" (by us, for a page whose guilt we
        # know) or "broken" (a worker died on some page in flight)
        self._retired: weakref.WeakKeyDictionary[ProcessPoolExecutor, str] = weakref.WeakKeyDictionary()
        self._slots = asyncio.Semaphore(workers)
        self._gate = asyncio.Lock()  # slots are taken in turn, so one caller can take them all
        self._unavailable: str | None = None

    # -- lifecycle

    def _new_executor(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("forkserver")
        # Preload only the small modules that name the workers' functions (not __main__,
        # which may be Scrapy's whole command line); each worker loads the extractor itself.
        ctx.set_forkserver_preload(list(dict.fromkeys(self.preload)))
        self._pages = 0
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_start_worker,
                                   initargs=(self.watch_pid, self.initializer, self.initargs))

    async def start(self) -> None:
        """Start every worker now; raises ``WorkersUnavailable`` if they cannot start."""
        await self._take(self.workers)
        try:
            if self._executor is None:
                self._executor = self._executor_or_unavailable()
            loop = asyncio.get_running_loop()
            calls = [loop.run_in_executor(self._executor, _ready) for _ in range(self.workers)]
            try:
                await asyncio.gather(*calls)
            except WorkerStartError as e:
                self._give_up(str(e))
            except BrokenProcessPool:
                self._give_up("a worker process died while starting")
        finally:
            self._free(self.workers)

    async def close(self) -> None:
        """Let the workers finish and exit."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(None, executor.shutdown)

    # -- pages

    async def run(self, *args: Any) -> Any:
        """``function(*args)`` in a worker; ``PageFailed`` if it hung or killed its worker."""
        alone = False  # run with every slot taken: no other page can share the blame
        while True:
            taken = self.workers if alone else 1
            await self._take(taken)
            if self.recycle and self._pages >= self.recycle and self._executor is not None:
                self._free(taken)
                await self._recycle()
                continue
            try:
                outcome = await self._attempt(args, alone)
            finally:
                self._free(taken)
            if outcome is _ALONE:
                alone = True
            elif outcome is not _AGAIN:
                return outcome

    async def _attempt(self, args: tuple, alone: bool) -> Any:
        if self._unavailable is not None:
            raise WorkersUnavailable(self._unavailable)
        if self._executor is None:
            self._executor = self._executor_or_unavailable()
        executor = self._executor
        self._pages += 1
        try:
            future = asyncio.get_running_loop().run_in_executor(executor, _call, self.function, args)
            return await asyncio.wait_for(future, self.timeout)
        except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
            # It started at once (never more pages than workers): the time was its own.
            self._replace(executor, "killed")
            raise PageFailed(f"extraction took over {self.timeout:g}s; the worker was replaced") from None
        except WorkerStartError as e:
            self._give_up(str(e))
        except BrokenProcessPool:
            why = self._retired.get(executor)
            if why == "killed":
                return _AGAIN  # another page's fault: run this one on the new pool
            self._replace(executor, "broken")
            if alone:
                raise PageFailed("the extraction worker died on this page") from None
            return _ALONE

    # -- replacing workers

    def _executor_or_unavailable(self) -> ProcessPoolExecutor:
        try:
            return self._new_executor()
        except OSError as e:  # no semaphores (/dev/shm), no processes left, ...
            self._give_up(f"cannot start worker processes: {e.strerror or e}")

    def _give_up(self, why: str) -> NoReturn:
        self._unavailable = f"extraction workers cannot start: {why}"
        executor, self._executor = self._executor, None
        if executor is not None:
            _kill(executor)
        raise WorkersUnavailable(self._unavailable)

    def _replace(self, executor: ProcessPoolExecutor, why: str) -> None:
        """Retire ``executor`` (if still current) for a fresh one; kill its workers."""
        if executor in self._retired or executor is not self._executor:
            return
        self._retired[executor] = why
        self.restarts += 1
        self._executor = None  # a new one is made by the next page
        _kill(executor)

    async def _recycle(self) -> None:
        await self._take(self.workers)
        try:
            if self._pages < self.recycle or self._executor is None:
                return  # another page recycled meanwhile
            old, self._executor = self._executor, None
            await asyncio.get_running_loop().run_in_executor(None, old.shutdown)
            self.recycles += 1
        finally:
            self._free(self.workers)

    async def _take(self, n: int) -> None:
        async with self._gate:
            for _ in range(n):
                await self._slots.acquire()

    def _free(self, n: int) -> None:
        for _ in range(n):
            self._slots.release()


def _kill(executor: ProcessPoolExecutor) -> None:
    """Kill the workers at once (a stuck page cannot be interrupted otherwise), then let go.

    The executor offers no public way to reach its processes: ``_processes`` is the one
    private attribute read here. Pages in flight then fail with ``BrokenProcessPool``.
    """
    for proc in list((getattr(executor, "_processes", None) or {}).values()):
        proc.kill()
    executor.shutdown(wait=False)
