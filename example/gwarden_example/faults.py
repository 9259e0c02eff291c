"""Import-time behaviour driven by the environment.

Faults need EXAMPLE_FAULTS=1 (so a stray variable cannot break a real run):
    IMPORT_DELAY=<seconds>  sleep while importing (a slow import that costs no CPU)
    IMPORT_HANG=1           never finish importing
    IMPORT_FAIL=1           raise at import with a clear message
Not faults, always honoured:
    EXAMPLE_BALLAST_MB=N    allocate N MiB of Python objects at import (a bigger app, see README.md)
"""
import os
import sys
import time

# Kept for the life of the process, like the module-level data of a big app.
_ballast = []


def enabled():
    """True when EXAMPLE_FAULTS=1 allows the fault endpoints and the import-time faults."""
    return os.environ.get("EXAMPLE_FAULTS") == "1"


def at_import():
    """Applies the import-time faults and the ballast; called once by app.py."""
    asked = [name for name in ("IMPORT_DELAY", "IMPORT_HANG", "IMPORT_FAIL") if os.environ.get(name)]
    if asked and not enabled():
        print(f"example app: ignoring {', '.join(asked)} (set EXAMPLE_FAULTS=1 to enable faults)", file=sys.stderr)
    elif asked:
        if os.environ.get("IMPORT_FAIL") == "1":
            raise RuntimeError("example app: IMPORT_FAIL=1 asked the import to fail")
        delay = float(os.environ.get("IMPORT_DELAY") or 0)
        if delay > 0:
            time.sleep(delay)
        if os.environ.get("IMPORT_HANG") == "1":
            while True:  # a hang, not a crash: only a signal ends it
                time.sleep(3600)
    allocate_ballast(float(os.environ.get("EXAMPLE_BALLAST_MB") or 0))


def allocate_ballast(mib):
    """Holds about `mib` MiB of small GC-tracked Python objects (like module code and data, which
    garbage collection and refcounts touch; a flat buffer would stay shared after fork forever)."""
    if mib <= 0:
        return
    # One item costs 368 bytes on CPython 3.11 (measured): a 2-tuple with its GC header (72), a
    # 200-character str rounded up by the allocator (256), an int (32) and the list slot (8).
    per_item = 368
    count = int(mib * 1024 * 1024 / per_item)
    _ballast.extend((i, "x" * 192 + "%08d" % i) for i in range(count))
