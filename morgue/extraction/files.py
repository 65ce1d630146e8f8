"""``morgue extract FILE...``: saved pages to JSON lines, one record per file, whatever happens to one."""

from __future__ import annotations

import json
import sys
from typing import IO

from morgue.extraction.article import empty_record, extract
from morgue.extraction.decode import safe_text


def extract_files(paths: list[str], url: str | None, out: IO[str]) -> int:
    """Write ``{"source": path, **record}`` per path ("-" reads stdin); 1 if any file failed.

    Without ``url`` the record's URL is the page's own canonical link, which extraction finds. A file
    that cannot be read, or whose extraction fails, gets its line (text empty, ``reason`` saying why)
    and a message on stderr; either way the files after it are extracted as usual.
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
            reason = exc.strerror or str(exc)
            print(f"morgue extract: cannot read {path}: {reason}", file=sys.stderr)
            status = 1
            out.write(json.dumps({"source": _printable(path), **empty_record(f"unreadable ({reason})")},
                                 ensure_ascii=False) + "\n")
            continue
        try:
            record = extract(body, url=url or "")
        except Exception as exc:  # noqa: BLE001 -- one file's failure must not cost the others
            print(f"morgue extract: cannot extract {path}: {exc!r}", file=sys.stderr)
            status = 1
            record = empty_record(f"extraction failed ({type(exc).__name__})")
        out.write(json.dumps({"source": _printable(path), **record}, ensure_ascii=False) + "\n")
    return status


def _printable(path: str) -> str:
    """A file name as JSON can carry it: undecodable bytes (lone surrogates) as U+FFFD, no controls."""
    return safe_text(path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
