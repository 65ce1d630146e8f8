"""``morgue``: a thin front over Scrapy for the things users do from a shell.

Flags become Scrapy settings at command-line priority; ``-s NAME=VALUE``
sets any other. Exit codes: 0 the run did what was asked; 1 the crawl
archived no article (the last line says why), or an unexpected error (one
line; the traceback with ``-L DEBUG``); 2 bad input (arguments, settings,
store) and nothing was fetched; 3 archive files could not be uploaded and
wait in the spool (``morgue flush`` uploads them); 6 interrupted (Ctrl-C,
SIGTERM): what was fetched is archived.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib import import_module

from morgue import __version__
from morgue.cli.common import EXIT_INTERRUPTED, EXIT_USAGE, unexpected


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="morgue", description="Crawl news sites into WARC archives and clean-text records.",
    )
    parser.add_argument("--version", action="version", version=f"morgue {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
        p.add_argument("--spool", help="local folder for files waiting for upload (default: the store's)")
        p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="any Scrapy or MORGUE_* setting")
        p.add_argument("-L", "--loglevel", help="log level (default INFO; WARNING on a terminal)")

    p = sub.add_parser("crawl", help="crawl news sites (a root URL, a sitemap or a feed)")
    p.add_argument("url", nargs="*", help="site root, sitemap or feed URL")
    p.add_argument("--max-pages", type=int, metavar="N", help="archive at most N article pages")
    p.add_argument("--since", metavar="DATE", help="skip articles dated before DATE")
    common(p)
    from morgue.cli.crawl import add_crawl_arguments

    add_crawl_arguments(p)
    p.set_defaults(func="crawl")

    p = sub.add_parser("demo", help="start a small news site on loopback and crawl it")
    common(p)
    p.set_defaults(func="demo")

    p = sub.add_parser("extract", help="print the article record of saved HTML files as JSON lines")
    p.add_argument("files", nargs="+", metavar="FILE", help="HTML file, or - for standard input")
    p.add_argument("--url", help="the page's URL (default: its canonical link)")
    p.set_defaults(func="extract")

    p = sub.add_parser("flush", help="upload files left in the spool by earlier runs")
    common(p)
    p.set_defaults(func="flush")

    from morgue.cli import enqueue, export, get, reextract, reindex, save, search, serve, show, status, wacz, worker

    for command in (save, serve, export, search, reindex, show, get, reextract, wacz, worker, enqueue, status):
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.captureWarnings(True)
    try:
        return import_module(f"morgue.cli.{args.func}").run(args)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except KeyboardInterrupt:  # before or after the crawl, whose own handlers say more
        print("morgue: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a bug must still end in one line, not a traceback
        return unexpected(e, debug=_debug_asked(args))


def _debug_asked(args: argparse.Namespace) -> bool:
    pairs = [p.replace(" ", "") for p in (getattr(args, "set", None) or [])]
    return (str(getattr(args, "loglevel", "") or "").upper() == "DEBUG"
            or any(p.upper() == "LOG_LEVEL=DEBUG" for p in pairs))


if __name__ == "__main__":
    sys.exit(main())
