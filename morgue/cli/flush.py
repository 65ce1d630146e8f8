"""``morgue flush``: upload what earlier runs left in the spool."""

from __future__ import annotations

import argparse
import sys

from morgue.cli.common import EXIT_OK, EXIT_PENDING, fail, open_checked_store, settings_from_args


def run(args: argparse.Namespace) -> int:
    from morgue.store import StoreError
    from morgue.store.spool import spool_from_settings
    from morgue.store.upload import upload_one

    settings = settings_from_args(args)
    store = open_checked_store(settings)
    spool = spool_from_settings(settings)
    recovered = spool.recover()
    if recovered:
        print(f"morgue: repaired {len(recovered)} files left by a crashed run", file=sys.stderr)
    failed = 0
    for path in spool.ready():
        try:
            key = upload_one(store, path)
        except (StoreError, OSError) as e:
            failed += 1
            print(f"morgue: error: cannot upload {path.name}: {e}", file=sys.stderr)
            continue
        except Exception as e:  # noqa: BLE001 -- one bad file must not stop the others: say which, go on
            failed += 1
            print(f"morgue: error: cannot upload {path.name}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        if key:
            print(f"morgue: uploaded {key}", file=sys.stderr)
    if failed:
        return fail(f"{failed} files still wait in {spool.root}", EXIT_PENDING)
    return EXIT_OK
