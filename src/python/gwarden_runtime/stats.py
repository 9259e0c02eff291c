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
      8  u64   seq: odd while an update is being written
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
    120  u64   seq again, written last

Consistency (a seqlock): a writer (under the worker's lock, so gthread's threads take turns) sets
the head seq to an odd value, writes the fields together with the same odd value in the tail, then
writes the next even value to the tail and last to the head. A reader copies all 128 bytes at once (one read, front to back) and accepts them
only when both copies are equal and even; otherwise it reads again.
"""
import mmap
import os
import struct
import threading
import time

ENV_DIR = "GWARDEN_STATS_DIR"
SIZE = 128
MAGIC = b"GWS1"
VERSION = 1
FLAG_READY = 1
FLAG_RETIRING = 2
FLAG_GUARD = 4

_HEAD = struct.Struct("<4sIQ")
_SEQ = struct.Struct("<Q")
_BODY = struct.Struct("<IIQIIddQQQQddQQQ")  # offsets 16 .. 128: the fields, then the tail seq
_SEQ_AT = 8
_BODY_AT = 16
_TAIL_AT = 120
# Bound once: the per-request path makes no attribute lookups it can avoid.
_pack_seq = _SEQ.pack_into
_pack_body = _BODY.pack_into
_now = time.time


def path_for(directory, pid):
    return os.path.join(directory, "%d.stats" % pid)


class Counters:
    """The counters of this worker; every method is safe from several threads and never raises."""

    def __init__(self, directory, slots):
        self.pid = os.getpid()
        self.path = path_for(directory, self.pid)
        self.lock = threading.Lock()
        self.seq = 0
        self.flags = 0
        self.requests = 0
        self.slots = max(1, int(slots or 1))
        self.starts = {}
        self.last_end = 0.0
        self.rss = 0
        self.private = 0
        self.budget = 0
        self.shared = 0
        self.rollups = 0
        self.forked = time.time()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.ftruncate(fd, SIZE)
            self.map = mmap.mmap(fd, SIZE)
        finally:
            os.close(fd)
        _HEAD.pack_into(self.map, 0, MAGIC, VERSION, 0)
        self._write(self.forked)

    def _write(self, now):
        """Publish the fields (the caller holds the lock, or is the only thread)."""
        m = self.map
        odd = self.seq + 1
        _pack_seq(m, _SEQ_AT, odd)
        # The first request still in flight is the oldest: starts are inserted in order of time.
        _pack_body(m, _BODY_AT, self.pid, self.flags, self.requests, len(self.starts), self.slots,
                   next(iter(self.starts.values()), 0.0), self.last_end, self.rss, self.private,
                   self.budget, self.shared, self.forked, now, self.rollups, 0, odd)
        self.seq = even = odd + 1
        _pack_seq(m, _TAIL_AT, even)
        _pack_seq(m, _SEQ_AT, even)

    def update(self, **fields):
        """Set fields (flags, rss, private, budget, shared, rollups) and publish them."""
        try:
            with self.lock:
                for name, value in fields.items():
                    setattr(self, name, value)
                self._write(time.time())
        except Exception:
            pass

    def set_flag(self, flag):
        self.update(flags=self.flags | flag)

    def begin(self, key):
        """A request starts (pre_request): one more in flight."""
        try:
            with self.lock:
                now = _now()
                self.starts[key] = now
                self._write(now)
        except Exception:
            pass

    def end(self, key, flags=0, rss=None, private=None, shared=None, rollups=None):
        """A request ends (post_request): one fewer in flight, one more completed; plus flags and the
        guard's figures, all in one write. Runs once per request: plain arguments, no **kwargs."""
        try:
            with self.lock:
                now = _now()
                self.starts.pop(key, None)
                self.requests += 1
                self.last_end = now
                self.flags |= flags
                if rss is not None:
                    self.rss = rss
                if private is not None:
                    self.private = private
                if shared is not None:
                    self.shared = shared
                if rollups is not None:
                    self.rollups = rollups
                self._write(now)
        except Exception:
            pass

    def close(self):
        """Unmap and remove the file (the worker exits)."""
        try:
            self.map.close()
        except Exception:
            pass
        remove(os.path.dirname(self.path), self.pid)


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
    """This worker's Counters, or None when gwarden named no directory or the file cannot be made."""
    where = directory(environ)
    if where is None:
        return None
    try:
        return Counters(where, slots)
    except Exception:
        return None
