"""The memory guard inside each worker: uWSGI's reload-on-rss, on private memory.

After each request the worker compares its own memory with the budget gwarden planned for it (the
plan's recycle budget: private memory, Private_Clean + Private_Dirty of smaps_rollup, what the
worker alone costs) and, past it, retires the way max_requests does: `worker.alive = False`, the
worker finishes the request it is in, exits, and the master forks a fresh one. A fast leak is
caught at the request that crosses the line, not at gwarden's next sample.

Cost: every request reads /proc/self/statm (one pread of an fd the worker opened itself; the
resident page count). With preload, RSS includes the pages shared with the master, so the private
figure is estimated as RSS minus the shared part measured at the last smaps_rollup read (at
post_worker_init, then every REFRESH_SECONDS to follow copy-on-write drift). smaps_rollup (walking
the page tables: milliseconds for a big worker) is read again only when that estimate reaches the
budget, and decides.

The budget: GWARDEN_GUARD_BYTES (gwarden run sets it; 0 turns the guard off) or the one embedded in
the rendered config. Unless GWARDEN_GUARD_EXPLICIT=1 (run --recycle-at), it is never below what
this worker measured when fresh plus max(32 MiB, 25 %), the floor gwarden's own recycling uses
(src/core/adaptive/recycle.ts): a budget a fresh worker already passes would recycle in a loop.
"""
import os
import threading
import time

ENV_BYTES = "GWARDEN_GUARD_BYTES"
ENV_EXPLICIT = "GWARDEN_GUARD_EXPLICIT"
MiB = 1024 * 1024
GROWTH_FLOOR_BYTES = 32 * MiB
GROWTH_FLOOR_SHARE = 0.25
REFRESH_SECONDS = 10.0


def budget_from(environ, embedded):
    """(budget bytes, explicit) from the environment, else the embedded config; (None, False): off."""
    value = environ.get(ENV_BYTES, "").strip()
    explicit = environ.get(ENV_EXPLICIT, "").strip() in ("1", "true", "yes")
    if value == "":
        if not embedded:
            return None, False
        return int(embedded.get("bytes") or 0) or None, bool(embedded.get("explicit")) or explicit
    try:
        budget = int(value)
    except ValueError:
        return None, False
    return (budget if budget > 0 else None), explicit


def effective_budget(budget, explicit, fresh_private):
    """The budget in force: as given when explicit, else never below a fresh worker plus its floor."""
    if explicit or fresh_private is None:
        return budget
    return max(budget, int(fresh_private + max(GROWTH_FLOOR_BYTES, fresh_private * GROWTH_FLOOR_SHARE)))


def parse_statm_rss(data, page_size):
    """Resident bytes from /proc/self/statm (its second field counts pages)."""
    return int(data.split()[1]) * page_size


def parse_rollup(text):
    """(rss, private) bytes from smaps_rollup; private = Private_Clean + Private_Dirty."""
    rss = private = 0
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Private_Clean", "Private_Dirty"):
            kib = int(rest.split()[0]) * 1024
            if name == "Rss":
                rss = kib
            else:
                private += kib
    return rss, private


class Guard:
    """One worker's guard; start() in post_worker_init, check() after each request."""

    def __init__(self, budget, explicit, clock=time.monotonic):
        self.budget = budget
        self.explicit = explicit
        self.clock = clock
        self.page_size = os.sysconf("SC_PAGE_SIZE")
        self.statm = None
        self.shared = 0
        self.rss = 0
        self.private = 0
        self.rollups = 0
        self.refreshed = 0.0
        self.tripped = False
        self.lock = threading.Lock()  # gthread's threads check one at a time; the guard trips once

    def start(self):
        """Open this worker's own statm (never the master's fd) and measure the fresh worker."""
        self.statm = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        fresh = self.rollup()
        self.budget = effective_budget(self.budget, self.explicit, fresh)

    def rollup(self):
        """Read smaps_rollup: the true private figure, and the shared part RSS carries beside it."""
        with open("/proc/self/smaps_rollup") as f:
            rss, private = parse_rollup(f.read())
        self.rss, self.private = rss, private
        self.shared = max(0, rss - private)
        self.rollups += 1
        self.refreshed = self.clock()
        return private

    def check(self):
        """After a request: True the first time private memory is at or past the budget."""
        with self.lock:
            return self._check()

    def _check(self):
        if self.tripped or self.statm is None:
            return False
        # parse_statm_rss inlined: this runs once per request.
        self.rss = rss = int(os.pread(self.statm, 128, 0).split(None, 2)[1]) * self.page_size
        if rss - self.shared < self.budget and self.clock() - self.refreshed < REFRESH_SECONDS:
            return False
        if self.rollup() < self.budget:
            return False
        self.tripped = True
        return True

    def figures(self):
        return {"rss": self.rss, "private": self.private, "budget": self.budget}

    def close(self):
        if self.statm is not None:
            try:
                os.close(self.statm)
            except OSError:
                pass
            self.statm = None
