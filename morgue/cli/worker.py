"""``morgue worker``: crawl whatever sites the distributed crawl holds, and keep waiting for more.

A long-running crawler process for a distributed crawl (``MORGUE_REDIS_URL``):
it joins every site registered in Redis (by ``morgue crawl --distributed`` or
``morgue enqueue``), and unlike ``morgue crawl --distributed`` it does not exit
when the frontier is empty. Ctrl-C or SIGTERM end it as they end a crawl.
"""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    p = sub.add_parser("worker", help="a crawler process of a distributed crawl that keeps waiting for URLs",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("--store", help="archive: a folder or s3://bucket/prefix (default ./archive, or $MORGUE_STORE)")
    p.add_argument("--spool", help="local folder for files waiting for upload (default: the store's)")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="any Scrapy or MORGUE_* setting")
    p.add_argument("-L", "--loglevel", help="log level (default INFO; WARNING on a terminal)")
    p.set_defaults(func="worker")


def run(args: argparse.Namespace) -> int:
    from morgue.cli.common import settings_from_args
    from morgue.cli.crawl import distributed

    return distributed([], settings_from_args(args), None, forever=True)
