"""``morgue extract FILE...``: saved pages to JSON lines, one record per file."""

from __future__ import annotations

import json
import sys
from typing import IO

from morgue.extraction.article import extract


def extract_files(paths: list[str], url: str | None, out: IO[str]) -> int:
    """Write ``{"source": path, **record}`` per path ("-" reads stdin); 1 if any file was unreadable.

    Without ``url`` the record's URL is the page's own canonical link, which extraction finds.
    """
    status = 0
    for path in paths:
        try:
            if path == "-":
                body = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as handle:
                    body = handle.read()
        except OSError as exc:
            print(f"morgue extract: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        record = extract(body, url=url or "")
        out.write(json.dumps({"source": path, **record}, ensure_ascii=False) + "\n")
    return status
