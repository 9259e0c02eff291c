"""Per-worker counters in shared memory, written in-process around each request.

gwarden names a directory on a tmpfs in GWARDEN_STATS_DIR; each worker maps one file there,
`<pid>.stats`, of SIZE bytes, and updates it in place, the way uWSGI's stats area and
prometheus_client's multiprocess mode share counters. Nothing crosses a process boundary per
request: gwarden reads the files at its own pace. Without the variable (or when the file cannot be
made) the counters are off and cost nothing.

Layout (little-endian, 128 bytes; the parser is src/core/sample/worker-stats.ts):

    off  type  field
      0  4s    magic b"GWS1"
      4  u32   layout version (1)
      8  u64   seq (head copy), even
     16  u32   pid
     20  u32   flags: 1 ready (post_worker_init ran), 2 retiring (the memory guard), 4 guard on
     24  u64   requests completed
     32  u32   requests in flight (busy slots)
     36  u32   slots (the worker's threads)
     40  f64   start of the oldest request in flight, unix seconds (0: none)
     48  f64   end of the last request, unix seconds (0: none yet)
     56  u64   RSS bytes at the last guard check (0: not measured)
     64  u64   private bytes (Private_Clean + Private_Dirty) at the last smaps_rollup read (0: none)
     72  u64   the guard's budget in force, bytes (0: guard off)
     80  u64   the guard's shared estimate (RSS - private at the last smaps_rollup read)
     88  f64   when the worker forked (the file was made), unix seconds
     96  f64   when this record was last written, unix seconds
    104  u64   smaps_rollup reads by the guard so far
    112  u64   reserved (0)
    120  u64   seq (tail copy)

Consistency (a seqlock for a reader that copies the 128 bytes in one read, front to back): a writer
(one thread at a time: gthread's threads take a lock) stores the next sequence number (the last
plus 2) in the tail first, then the fields it changes, then the same number in the head. A reader
accepts a copy only when head and tail are equal (and even, as they always are): if they are, the
head was read after the last write ended and the tail before the next one began, so every field
between them belongs to one write. Each field is one aligned store through a typed view of the
map: a request costs a few stores, not a repack of the record.
"""
import mmap
import os
import sys
import threading
import time

ENV_DIR = "GWARDEN_STATS_DIR"
SIZE = 128
MAGIC = b"GWS1"
VERSION = 1
FLAG_READY = 1
FLAG_RETIRING = 2
FLAG_GUARD = 4

# Indexes into the typed views: u64 (_Q, offset / 8), f64 (_D, offset / 8), u32 (_I, offset / 4).
_Q_HEAD, _Q_REQUESTS, _Q_RSS, _Q_PRIVATE, _Q_BUDGET, _Q_SHARED, _Q_ROLLUPS, _Q_TAIL = 1, 3, 7, 8, 9, 10, 13, 15
_D_OLDEST, _D_LAST_END, _D_FORKED, _D_WRITTEN = 5, 6, 11, 12
_I_PID, _I_FLAGS, _I_IN_FLIGHT, _I_SLOTS = 4, 5, 8, 9
_now = time.time


def path_for(directory, pid):
    return os.path.join(directory, "%d.stats" % pid)


class Counters:
    """This worker's counters for one request at a time (sync workers): no locks. Never raises."""

    def __init__(self, directory, slots=1):
        if sys.byteorder != "little":
            raise OSError("the counters' layout is little-endian")
        self.pid = os.getpid()
        self.path = path_for(directory, self.pid)
        self.seq = 0
        self.flags = 0
        self.requests = 0
        self.guard_reads = -1  # the guard's reads last published (-1: none yet)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.ftruncate(fd, SIZE)
            self.map = mmap.mmap(fd, SIZE)
        finally:
            os.close(fd)
        view = memoryview(self.map)
        self.views = (view.cast("Q"), view.cast("d"), view.cast("I"))
        self.q, self.d, self.i = self.views
        view.release()
        self.map[0:4] = MAGIC
        i, d = self.i, self.d
        i[1] = VERSION
        i[_I_PID] = self.pid
        i[_I_SLOTS] = max(1, int(slots or 1))
        d[_D_FORKED] = d[_D_WRITTEN] = _now()

    def update(self, flags=None, budget=None, g=None):
        """Rare changes (post_worker_init, the guard armed): flags, the budget, the guard's figures."""
        try:
            self._open_write()
            if flags is not None:
                self.flags = self.i[_I_FLAGS] = flags
            if budget is not None:
                self.q[_Q_BUDGET] = budget
            if g is not None:
                self._guard_figures(g)
            self.d[_D_WRITTEN] = _now()
            self.q[_Q_HEAD] = self.seq
        except Exception:
            pass

    def set_flag(self, flag):
        self.update(flags=self.flags | flag)

    def _open_write(self):
        self.seq += 2
        self.q[_Q_TAIL] = self.seq

    def _guard_figures(self, g):
        q = self.q
        q[_Q_RSS], q[_Q_PRIVATE], q[_Q_SHARED], q[_Q_ROLLUPS] = g.rss, g.private, g.shared, g.rollups
        if g.tripped and not self.flags & FLAG_RETIRING:
            self.flags = self.i[_I_FLAGS] = self.flags | FLAG_RETIRING
        self.guard_reads = g.reads

    def begin(self, key, now):
        """A request starts (pre_request): in flight since `now`. (Here and in end, _open_write is
        inlined: they run once per request.)"""
        try:
            self.seq = seq = self.seq + 2
            q, d = self.q, self.d
            q[_Q_TAIL] = seq
            self.i[_I_IN_FLIGHT] = 1
            d[_D_OLDEST] = d[_D_WRITTEN] = now
            q[_Q_HEAD] = seq
        except Exception:
            pass

    def end(self, key, now, g=None):
        """A request ends (post_request): one more completed, and the guard's figures when it read
        /proc since the last write (g: the guard, or None)."""
        try:
            self.seq = seq = self.seq + 2
            q, d = self.q, self.d
            q[_Q_TAIL] = seq
            self.requests = q[_Q_REQUESTS] = self.requests + 1
            self.i[_I_IN_FLIGHT] = 0
            d[_D_OLDEST] = 0.0
            d[_D_LAST_END] = d[_D_WRITTEN] = now
            if g is not None and g.reads != self.guard_reads:
                self._guard_figures(g)
            q[_Q_HEAD] = seq
        except Exception:
            pass

    def close(self):
        """Unmap and remove the file (the worker exits)."""
        try:
            for view in self.views:
                view.release()
            self.map.close()
        except Exception:
            pass
        remove(os.path.dirname(self.path), self.pid)


class ThreadedCounters(Counters):
    """The counters of a worker that serves several requests at once (gthread, async workers): the
    same record, one writer at a time, and the start of every request in flight."""

    def __init__(self, directory, slots):
        super().__init__(directory, slots)
        self.lock = threading.Lock()
        self.starts = {}

    def update(self, flags=None, budget=None, g=None):
        with self.lock:
            super().update(flags, budget, g)

    def begin(self, key, now):
        try:
            with self.lock:
                starts = self.starts
                starts[key] = now
                self._open_write()
                self.i[_I_IN_FLIGHT] = len(starts)
                d = self.d
                # The first request still in flight is the oldest: starts are inserted in order of time.
                d[_D_OLDEST] = next(iter(starts.values()))
                d[_D_WRITTEN] = now
                self.q[_Q_HEAD] = self.seq
        except Exception:
            pass

    def end(self, key, now, g=None):
        try:
            with self.lock:
                starts = self.starts
                starts.pop(key, None)
                self._open_write()
                q, d = self.q, self.d
                self.requests = q[_Q_REQUESTS] = self.requests + 1
                self.i[_I_IN_FLIGHT] = len(starts)
                d[_D_OLDEST] = next(iter(starts.values()), 0.0)
                d[_D_LAST_END] = d[_D_WRITTEN] = now
                if g is not None and g.reads != self.guard_reads:
                    self._guard_figures(g)
                q[_Q_HEAD] = self.seq
        except Exception:
            pass


def remove(directory, pid):
    """Remove a worker's file (the worker at exit, the master once it reaped the worker)."""
    try:
        os.unlink(path_for(directory, pid))
    except OSError:
        pass


def directory(environ=None):
    """The directory gwarden named, or None (counters off)."""
    environ = os.environ if environ is None else environ
    value = environ.get(ENV_DIR, "")
    return value if value and os.path.isdir(value) else None


def open_counters(slots, environ=None):
    """This worker's counters (lock-free for one slot), or None when gwarden named no directory or
    the file cannot be made."""
    where = directory(environ)
    if where is None:
        return None
    try:
        return Counters(where) if int(slots or 1) <= 1 else ThreadedCounters(where, slots)
    except Exception:
        return None
