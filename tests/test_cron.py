"""What a cron job sees: exit codes that tell outcomes apart, documented in --help."""

from __future__ import annotations

import argparse

from morgue.cli.common import EXIT_CODES
from morgue.cli.crawl import add_crawl_arguments, combine


def test_help_lists_every_exit_code() -> None:
    parser = argparse.ArgumentParser(prog="morgue crawl")
    add_crawl_arguments(parser)
    text = parser.format_help()
    for code in range(8):
        assert f"  {code}  {EXIT_CODES[code]}" in text
    assert "--sites FILE" in text and "--full" in text and "--log-file FILE" in text


def test_run_exit_code_from_the_sites_codes() -> None:
    assert combine([0]) == 0 and combine([5]) == 5 and combine([1]) == 1
    assert combine([0, 0]) == 0 and combine([0, 3]) == 3
    assert combine([0, 1]) == 4 and combine([0, 5]) == 4 and combine([3, 2]) == 4
    assert combine([5, 5]) == 5 and combine([1, 5]) == 1
    assert combine([0, 7]) == 7 and combine([0, 0], interrupted=True) == 6
