"""The memory guard inside each worker: uWSGI's reload-on-rss, on private memory.

After each request the worker compares its own memory with the budget gwarden planned for it (the
plan's recycle budget: private memory, Private_Clean + Private_Dirty of smaps_rollup, what the
worker alone costs) and, past it, retires the way max_requests does: `worker.alive = False`, the
worker finishes the request it is in, exits, and the master forks a fresh one. A fast leak is
caught at the request that crosses the line, not at gwarden's next sample.

Cost: a worker's memory cannot grow faster than the kernel can fault pages in, so after each read
the guard knows the earliest time the worker could reach its budget: the headroom over
MAX_GROWTH_BYTES_PER_SECOND per thread (far above what any core writes fresh memory: 1.3 GiB/s
here). Until then a check is two comparisons; after it, one pread of /proc/self/statm (an fd the
worker opened itself: the resident page count). Near the budget that is every request, far from it
one request in tens: exactly as safe as reading every request, at a fraction of the cost. With
preload, RSS includes the pages shared with the master, so the private figure is estimated as RSS
minus the shared part measured at the last smaps_rollup read (at post_worker_init, then every
REFRESH_SECONDS to follow copy-on-write drift). smaps_rollup (walking the page tables: milliseconds
for a big worker) is read again only when that estimate reaches the budget, and decides.

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
# A bound on how fast one thread can fault fresh memory in: 32 GiB/s, 25 times what this machine's
# cores do (b"\1" * 1 GiB in Python) and above any core's write bandwidth.
MAX_GROWTH_BYTES_PER_SECOND = 32 * 1024 * MiB


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

    def __init__(self, budget, explicit, threads=1, clock=time.time):
        self.budget = budget
        self.explicit = explicit
        self.clock = clock
        self.growth = MAX_GROWTH_BYTES_PER_SECOND * max(1, int(threads or 1))
        self.page_size = os.sysconf("SC_PAGE_SIZE")
        self.statm = None
        self.shared = 0
        self.rss = 0
        self.private = 0
        self.rollups = 0
        self.reads = 0  # reads of statm or smaps_rollup so far: the figures changed
        self.refreshed = 0.0
        self.read_at = 0.0  # the last read, and the earliest time memory could reach the budget
        self.due = 0.0
        self.tripped = False
        self.lock = threading.Lock()  # gthread's threads read one at a time; the guard trips once

    def start(self):
        """Open this worker's own statm (never the master's fd) and measure the fresh worker."""
        self.statm = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        fresh = self.rollup(self.clock())
        self.budget = effective_budget(self.budget, self.explicit, fresh)
        self.schedule(self.read_at, fresh)

    def rollup(self, now=None):
        """Read smaps_rollup: the true private figure, and the shared part RSS carries beside it."""
        if now is None:
            now = self.clock()
        with open("/proc/self/smaps_rollup") as f:
            rss, private = parse_rollup(f.read())
        self.rss, self.private = rss, private
        self.shared = max(0, rss - private)
        self.rollups += 1
        self.reads += 1
        self.refreshed = self.read_at = now
        return private

    def schedule(self, now, private):
        """The next read: when growth at the bound could first reach the budget, or the refresh."""
        self.due = min(now + (self.budget - private) / self.growth, self.refreshed + REFRESH_SECONDS)

    def check(self, now=None):
        """After a request: True the first time private memory is at or past the budget. `now`: the
        wall clock, if the caller has read it (a clock that went back makes a read due)."""
        if now is None:
            now = self.clock()
        if self.read_at <= now < self.due:
            return False
        with self.lock:
            return self._check(now)

    def _check(self, now):
        if self.tripped or self.statm is None:
            return False
        # parse_statm_rss inlined: near the budget this runs once per request.
        self.rss = rss = int(os.pread(self.statm, 128, 0).split(None, 2)[1]) * self.page_size
        self.reads += 1
        self.read_at = now
        estimate = rss - self.shared
        if estimate < self.budget and self.refreshed <= now < self.refreshed + REFRESH_SECONDS:
            self.schedule(now, estimate)
            return False
        private = self.rollup(now)
        if private < self.budget:
            self.schedule(now, private)
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
