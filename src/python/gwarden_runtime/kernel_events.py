"""The master's watcher of kernel memory events: one `memory_event` record per event, at once.

Node has no eventfd and cannot poll a file for POLLPRI; gunicorn's master (Python) can
(research/kernel-events.md). A daemon thread in the master waits on:

  cgroup v1  usage thresholds (GWARDEN_MEMORY_THRESHOLDS, bytes, comma-separated): an eventfd
             registered through cgroup.event_control on memory.usage_in_bytes; fires when usage
             crosses a threshold either way. With GWARDEN_MEMORY_EVENTS=1, OOM notifications too
             (an eventfd on memory.oom_control).
  cgroup v2  a PSI trigger on the group's memory.pressure (GWARDEN_MEMORY_PSI, "some|full <stall
             us> <window us>"), and with GWARDEN_MEMORY_EVENTS=1 changes of memory.events (kernfs
             files wake poll() with POLLPRI|POLLERR when their content changes). Where gwarden owns
             the group, GWARDEN_MEMORY_HIGH (bytes) is written to memory.high once.

Everything is registered in when_ready, on the main thread, before the first fork; the fds are
closed in every forked child (os.register_at_fork), so workers never hold a trigger. The thread
takes no lock a forked child could inherit held: it only polls, reads files and os.write()s the
channel. A part that cannot be set up (a read-only cgroupfs in a container, no PSI) is reported
once as kind "unavailable" with the reason, and left alone. The group is GWARDEN_CGROUP_DIR or the
master's own memory cgroup (cgroup_dir.py). Nothing starts without the hook channel: the records are
the watcher's whole output, and only gwarden listens.
"""
import os
import select
import threading
import time

from gwarden_runtime import cgroup_dir, channel
from gwarden_runtime.cgroup_files import limit_or_none, parse_flat_keyed, parse_psi_avg10, read_number, read_text
from gwarden_runtime.event_config import config_from, psi_trigger, wanted

MIN_GAP = 0.1  # one record per source per 100 ms; a burst ends with a record of the last state


class Watcher:
    """The registered sources of one memory group, and the loop that turns their wakes into records."""

    def __init__(self, version, directory, config, emit=channel.emit, clock=time.monotonic):
        self.version = version
        self.dir = directory
        self.config = config
        self.emit = emit
        self.clock = clock
        self.fds = []  # every fd this watcher holds: closed in forked children
        self.wake, self.waker = os.pipe()  # ends run(): see stop()
        self.fds += [self.wake, self.waker]
        self.sources = {}  # fd -> (key, poll mask, drain, describe, error mask ends it)
        self.last = {}
        self.pending = {}
        self.seen = {}  # memory.events as last reported

    # -- set-up (main thread, before any fork) -------------------------------------------------

    def unavailable(self, what, reason):
        self.emit("memory_event", {"kind": "unavailable", "what": what, "reason": reason})

    def _open(self, name, flags):
        fd = os.open(os.path.join(self.dir, name), flags | os.O_CLOEXEC)
        self.fds.append(fd)
        return fd

    def _eventfd(self):
        fd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        self.fds.append(fd)
        return fd

    def _watch(self, fd, mask, key, drain, describe, fatal_error):
        self.sources[fd] = (key, mask, drain, describe, fatal_error)

    def setup(self):
        """Register every source the config asks for; report each that cannot be."""
        if self.version == "v1":
            self._setup_v1()
        else:
            self._setup_v2()
        return bool(self.sources)

    def _setup_v1(self):
        c = self.config
        if c["psi"]:
            self.unavailable("psi", "cgroup v1 has no per-group pressure file")
        if c["high"]:
            self.unavailable("high", "memory.high exists on cgroup v2 only")
        if not (c["thresholds"] or c["events"]):
            return
        if not hasattr(os, "eventfd"):
            self.unavailable("threshold", "this Python has no os.eventfd (3.10 and later have it)")
            return
        try:
            control = os.open(os.path.join(self.dir, "cgroup.event_control"), os.O_WRONLY | os.O_CLOEXEC)
        except OSError as e:
            self.unavailable("threshold", "cannot write %s/cgroup.event_control: %s" % (self.dir, e.strerror))
            return
        try:
            usage = self._open("memory.usage_in_bytes", os.O_RDONLY)
            for threshold in c["thresholds"]:
                self._register_v1(control, usage, threshold)
            if c["events"]:
                self._register_v1(control, self._open("memory.oom_control", os.O_RDONLY), None)
        except OSError as e:
            self.unavailable("threshold", "cannot register with %s: %s" % (self.dir, e.strerror))
        finally:
            os.close(control)

    def _register_v1(self, control, target, threshold):
        efd = self._eventfd()
        if threshold is None:
            os.write(control, b"%d %d" % (efd, target))
            self._watch(efd, select.POLLIN, "oom", lambda: _drain(efd), self._oom_v1, False)
            return
        os.write(control, b"%d %d %d" % (efd, target, threshold))
        self._watch(efd, select.POLLIN, "threshold:%d" % threshold, lambda: _drain(efd),
                    lambda: self._threshold(threshold), False)

    def _setup_v2(self):
        c = self.config
        if c["thresholds"]:
            self.unavailable("threshold", "cgroup v2 has no usage thresholds (use the PSI trigger)")
        if c["high"]:
            self._set_high(c["high"])
        if c["psi"]:
            try:
                fd = self._open("memory.pressure", os.O_RDWR | os.O_NONBLOCK)
                os.write(fd, psi_trigger(c["psi"]))
                self._watch(fd, select.POLLPRI, "psi", lambda: None, self._psi, True)
            except OSError as e:
                self.unavailable("psi", "cannot set a trigger on %s/memory.pressure: %s" % (self.dir, e.strerror))
        if c["events"]:
            try:
                fd = self._open("memory.events", os.O_RDONLY)
                self.seen = parse_flat_keyed(os.pread(fd, 4096, 0).decode("ascii", "replace"))
                self._watch(fd, select.POLLPRI | select.POLLERR, "events", lambda: os.pread(fd, 4096, 0),
                            lambda: self._events(fd), False)
            except OSError as e:
                self.unavailable("events", "cannot watch %s/memory.events: %s" % (self.dir, e.strerror))

    def _set_high(self, high):
        limit = limit_or_none(read_number(os.path.join(self.dir, "memory.max")))
        try:
            with open(os.path.join(self.dir, "memory.high"), "w") as f:
                f.write("%d\n" % high)
        except OSError as e:
            self.unavailable("high", "cannot write %s/memory.high: %s" % (self.dir, e.strerror))
            return
        self.emit("memory_event", {"kind": "high", "high": high, "limit": limit})

    # -- what each wake reports (the watcher thread) -------------------------------------------

    def _figures(self, usage_file, limit_file):
        return {"usage": read_number(os.path.join(self.dir, usage_file)),
                "limit": limit_or_none(read_number(os.path.join(self.dir, limit_file)))}

    def _threshold(self, threshold):
        record = {"kind": "threshold", "threshold": threshold}
        record.update(self._figures("memory.usage_in_bytes", "memory.limit_in_bytes"))
        usage = record["usage"]
        record["direction"] = None if usage is None else "up" if usage >= threshold else "down"
        return record

    def _oom_v1(self):
        oom = parse_flat_keyed(read_text(os.path.join(self.dir, "memory.oom_control")) or "")
        record = {"kind": "oom", "oomKill": oom.get("oom_kill"), "underOom": oom.get("under_oom")}
        record.update(self._figures("memory.usage_in_bytes", "memory.limit_in_bytes"))
        return record

    def _psi(self):
        avg = parse_psi_avg10(read_text(os.path.join(self.dir, "memory.pressure")) or "")
        record = {"kind": "psi", "trigger": self.config["psi"], "someAvg10": avg.get("some"),
                  "fullAvg10": avg.get("full")}
        record.update(self._figures("memory.current", "memory.max"))
        return record

    def _events(self, fd):
        now = parse_flat_keyed(os.pread(fd, 4096, 0).decode("ascii", "replace"))
        changed = sorted(k for k, v in now.items() if v > self.seen.get(k, 0))
        self.seen = now
        if not changed:
            return None
        record = {"kind": "events", "events": now, "changed": changed}
        record.update(self._figures("memory.current", "memory.max"))
        return record

    # -- the loop ------------------------------------------------------------------------------

    def _report(self, key, describe):
        """Emit now, or once MIN_GAP has passed since this source's last record (the latest state)."""
        now = self.clock()
        if now - self.last.get(key, -MIN_GAP) < MIN_GAP:
            self.pending[key] = describe
            return
        self.pending.pop(key, None)
        record = describe()
        if record is not None:
            self.last[key] = now
            self.emit("memory_event", record)

    def run(self):
        poller = select.poll()
        for fd, source in self.sources.items():
            poller.register(fd, source[1])
        poller.register(self.wake, select.POLLIN)
        while self.sources:
            timeout = None
            if self.pending:
                due = min(self.last[k] + MIN_GAP for k in self.pending)
                timeout = max(0, int((due - self.clock()) * 1000) + 1)
            for fd, mask in poller.poll(timeout):
                if fd == self.wake:
                    return
                source = self.sources.get(fd)
                if source is None:
                    continue
                key, _, drain, describe, fatal_error = source
                try:
                    if mask & select.POLLNVAL or (fatal_error and mask & select.POLLERR):
                        raise OSError("the source was closed or its group removed")
                    drain()
                    self._report(key, describe)
                except Exception:
                    poller.unregister(fd)
                    del self.sources[fd]
            for key, describe in list(self.pending.items()):
                try:
                    self._report(key, describe)
                except Exception:
                    self.pending.pop(key, None)

    def stop(self):
        """End run() (in this process only: a forked child must close(), never write the shared fd)."""
        os.write(self.waker, b"x")

    def close(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []
        self.sources = {}


def _drain(efd):
    try:
        os.read(efd, 8)
    except BlockingIOError:
        pass


_WATCHER = None


def start(environ=None):
    """In when_ready: set up what the environment asks for and start the thread; once per master.
    Never raises: gunicorn's when_ready must not fail for gwarden's sake."""
    try:
        return _start(os.environ if environ is None else environ)
    except Exception as e:
        channel.emit("memory_event", {"kind": "unavailable", "what": "watcher", "reason": repr(e)})
        return None


def _start(environ):
    global _WATCHER
    config, errors = config_from(environ)
    if _WATCHER is not None or not (wanted(config) or errors) or not channel.is_open():
        return _WATCHER  # once per master; and only for gwarden, which listens on the channel
    for error in errors:
        channel.emit("memory_event", {"kind": "unavailable", "what": "config", "reason": error})
    version, directory = cgroup_dir.memory_group(environ)
    if version is None:
        channel.emit("memory_event", {"kind": "unavailable", "what": "cgroup", "reason": directory})
        return None
    _WATCHER = Watcher(version, directory, config)
    if _WATCHER.setup():
        threading.Thread(target=_WATCHER.run, name="gwarden-memory-events", daemon=True).start()
    return _WATCHER


def _after_fork():
    """In every forked child (gunicorn's workers): drop the master's watcher and its fds."""
    global _WATCHER
    if _WATCHER is not None:
        _WATCHER.close()
        _WATCHER = None


os.register_at_fork(after_in_child=_after_fork)
