"""What every command shares: settings from flags, one-line errors, exit codes."""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_NO_ARTICLES, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3


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


def open_checked_store(settings):
    from morgue.store import StoreError, store_from_settings

    try:
        store = store_from_settings(settings)
        store.check()
    except (StoreError, ValueError) as e:
        raise SystemExit(fail(str(e))) from None
    return store
