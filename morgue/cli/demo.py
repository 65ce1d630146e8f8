"""``morgue demo``: start the test news site on loopback and crawl it."""

from __future__ import annotations

import argparse
import sys

from morgue.cli.common import settings_from_args
from morgue.cli.crawl import crawl


def run(args: argparse.Namespace) -> int:
    from morgue.testsite import NewsSite

    settings = settings_from_args(args)
    # The demo site is on loopback: no need to be slow with it.
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="project")
    settings.set("DOWNLOAD_DELAY", 0, priority="project")
    with NewsSite() as site:
        print(f"morgue: demo news site serving at {site.url}", file=sys.stderr)
        code = crawl([site.url], settings)
    print(f"morgue: archive written to {settings.get('MORGUE_STORE')}", file=sys.stderr)
    return code
