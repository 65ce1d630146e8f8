"""``python -m morgue.testsite``: serve the test site in the foreground."""

from __future__ import annotations

import argparse

from morgue.testsite import hostile, listings
from morgue.testsite.routes import VARIANTS
from morgue.testsite.server import NewsSite


def main(argv: list[str] | None = None) -> None:
    """Parse flags, print the URL, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m morgue.testsite", description=__doc__)
    parser.add_argument("--variant", choices=VARIANTS + hostile.VARIANTS + listings.VARIANTS, default="normal")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--trap-port", type=int, default=None,
                        help="a port that accepts and never answers, named by the foreign-schemes "
                             "and home-to-ftp variants")
    args = parser.parse_args(argv)
    try:
        site = NewsSite(variant=args.variant, port=args.port, trap_port=args.trap_port)
    except ValueError as e:
        parser.error(str(e))
    site.start()
    print(site.url, flush=True)
    try:
        site.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()


if __name__ == "__main__":
    main()
