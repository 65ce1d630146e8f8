"""``morgue enqueue URL...``: add sites or URLs to the distributed crawl, from any machine.

A URL of a site being crawled joins that crawl's frontier (as a seed: a site's
root is read as a site, a sitemap or feed as one, a page as a page); a URL of
another site starts a crawl of that site, which every running worker joins.
Needs ``MORGUE_REDIS_URL``; exit code 2 when it is missing or unreachable.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("enqueue", help="add sites or URLs to the distributed crawl (MORGUE_REDIS_URL)",
                       description=__doc__.split("\n\n")[0].strip("`"))
    p.add_argument("url", nargs="+", help="a site's root, a sitemap, a feed or a page")
    p.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="MORGUE_REDIS_URL=... and the like")
    p.set_defaults(func="enqueue")


def run(args: argparse.Namespace) -> int:
    from morgue.cli.common import EXIT_OK, fail, settings_from_args
    from morgue.discovery.urls import BadURL, check_url
    from morgue.distributed import registry
    from morgue.distributed.runner import client_or_fail

    settings = settings_from_args(args)
    try:
        urls = [check_url(u) for u in args.url]
    except BadURL as e:
        return fail(str(e))
    client = client_or_fail(settings)
    for url in urls:
        site, fresh = registry.enqueue(client, url)
        print(f"morgue: {url}: {'new crawl of' if fresh else 'queued in the crawl of'} {site}", file=sys.stderr)
    return EXIT_OK
