"""``morgue extract``: the article record of saved pages, as JSON lines."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from morgue.extraction import extract_files

    return extract_files(args.files, args.url, sys.stdout)
