"""``scrapy crawl`` for this project: Scrapy's command, run the way ``morgue crawl`` runs.

Settings are checked before the crawler process starts (a wrong value is one
line and exit code 2), the store before anything is fetched; the summary,
the exit codes and Ctrl-C are ``morgue crawl``'s (``morgue.cli.crawl``).
Scrapy's options (``-a``, ``-s``, ``-o``, ``-L``) keep their meaning.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from morgue.cli.common import fail, open_checked_store
from morgue.cli.crawl import check, run_crawl
from morgue.spiders.news import NewsSpider


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider of the current project, by name (as `morgue crawl` does)"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        check(self.settings)  # before Scrapy builds the crawler process with them
        if len(args) == 1:  # a wrong spider name or a missing site: one line before Scrapy starts
            try:
                spider = get_spider_loader(self.settings).load(args[0])
            except KeyError as e:
                raise SystemExit(fail(str(e.args[0]) if e.args else str(e))) from None
            if spider is NewsSpider and not opts.spargs.get("site"):
                raise SystemExit(fail("the news spider needs a site: scrapy crawl news -a site=https://news.example.org/"))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl news -a site=URL", print_help=False)
        assert self.crawler_process is not None and self.settings is not None
        open_checked_store(self.settings)
        self.exitcode = run_crawl(self.crawler_process, args[0], opts.spargs, self.settings)
