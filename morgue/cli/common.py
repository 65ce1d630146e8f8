"""What every command shares: settings from flags, one-line errors, exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback

#: 0 ok; 1 no article archived (or an unexpected error); 2 bad input, nothing fetched;
#: 3 files wait in the spool; 4 some sites failed, others were archived; 5 another run holds
#: the lock of the store and site; 6 interrupted (Ctrl-C, SIGTERM); 7 out of disk space
EXIT_OK, EXIT_NO_ARTICLES, EXIT_USAGE, EXIT_PENDING, EXIT_INTERRUPTED = 0, 1, 2, 3, 6
EXIT_SOME_FAILED, EXIT_LOCKED, EXIT_NO_SPACE = 4, 5, 7

#: what each exit code means, for ``morgue crawl --help`` and the run report
EXIT_CODES = {
    EXIT_OK: "all well: articles archived (or none changed) and everything reached the store",
    EXIT_NO_ARTICLES: "nothing archived (the last line says why), or an unexpected error",
    EXIT_USAGE: "bad input (URL, date, setting, sites file, store or spool); nothing was fetched",
    EXIT_PENDING: "files wait in the spool: `morgue flush` or the next run uploads them",
    EXIT_SOME_FAILED: "finished, but some sites failed (the summary names them)",
    EXIT_LOCKED: "another run over the same store and site is running; nothing was done",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C, SIGTERM): what was fetched is archived",
    EXIT_NO_SPACE: "the spool's disk ran low (MORGUE_MIN_FREE_SPACE): fetching stopped, what was fetched is archived",
}
EXIT_UNEXPECTED = 1

DEBUG_HINT = "run with -L DEBUG for details"


def settings_from_args(args: argparse.Namespace):
    """morgue's settings, then the command's flags and ``-s`` pairs at command-line priority."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("morgue.settings", priority="project")
    for pair in args.set or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(fail(f"invalid -s {pair!r}: use -s NAME=VALUE"))
        settings.set(name.strip(), value, priority="cmdline")
    if getattr(args, "store", None):
        settings.set("MORGUE_STORE", args.store, priority="cmdline")
    if getattr(args, "spool", None):
        settings.set("MORGUE_SPOOL", args.spool, priority="cmdline")
    if getattr(args, "loglevel", None):
        settings.set("LOG_LEVEL", args.loglevel.upper(), priority="cmdline")
    return settings


def fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"morgue: error: {message}", file=sys.stderr)
    return code


def unexpected(error: BaseException, debug: bool) -> int:
    """A bug or an unforeseen failure: one line, and the traceback only when asked for (-L DEBUG)."""
    if debug:
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    what = type(error).__name__ + (f": {first}" if first else "")
    return fail(f"unexpected {what} ({DEBUG_HINT})", EXIT_UNEXPECTED)


def wants_debug(settings) -> bool:
    from morgue.config import log_level

    try:
        return log_level(settings) <= logging.DEBUG
    except (TypeError, ValueError):
        return False


def open_checked_store(settings):
    """The store and its spool, both proven writable before anything is fetched (else exit 2)."""
    from morgue.store import StoreError, store_from_settings
    from morgue.store.spool import spool_from_settings

    try:
        store = store_from_settings(settings)
        store.check()
        spool_from_settings(settings, store).prepare()
    except (StoreError, ValueError) as e:
        raise SystemExit(fail(str(e))) from None
    return store
