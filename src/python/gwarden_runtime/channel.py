"""The hook channel: one JSON object per line on the fd named by GWARDEN_EVENT_FD.

The fd must be a pipe or a connected unix socket (what gwarden gives gunicorn as fd 3); anything
else, or no variable at all, turns the channel off and every emit() into a no-op. The fd is made
non-blocking (a reader that stalls drops records, gunicorn never blocks on it) and non-inheritable
(app subprocesses that exec do not keep it). Each record is written by one os.write of fewer than
PIPE_BUF bytes, so lines from the master, the workers and the master's watcher thread never
interleave. The wire format is src/core/events/hook-record.ts.
"""
import json
import os
import socket
import stat
import time

ENV_FD = "GWARDEN_EVENT_FD"
MAX_LINE = 4000  # below PIPE_BUF (4096): one os.write is one atomic line
# What a record too long for one line keeps (the hook's identity and its small figures).
ESSENTIAL = ("hook", "pid", "ppid", "time", "worker", "status", "exitcode", "signal", "new", "old",
             "kind", "what", "rss", "private", "budget", "usage", "limit", "threshold")


def open_channel(environ=None):
    """The fd named by GWARDEN_EVENT_FD if it is a pipe or a connected unix socket, else None."""
    environ = os.environ if environ is None else environ
    try:
        fd = int(environ.get(ENV_FD, ""))
        if fd < 0:
            return None
        mode = os.fstat(fd).st_mode
        if stat.S_ISSOCK(mode):
            sock = socket.socket(fileno=fd)
            try:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                    return None  # a listener (e.g. inherited by a USR2 master), never ours
            finally:
                sock.detach()
        elif not stat.S_ISFIFO(mode):
            return None
        os.set_inheritable(fd, False)
        os.set_blocking(fd, False)
        return fd
    except Exception:
        return None


FD = open_channel()


def is_open():
    return FD is not None


def encode(record):
    """One record as one ASCII line below MAX_LINE; a longer one keeps only its essential fields."""
    data = (json.dumps(record, separators=(",", ":"), default=str) + "\n").encode("ascii")
    if len(data) <= MAX_LINE:
        return data
    small = {k: v for k, v in record.items() if k in ESSENTIAL}
    small["truncated"] = True
    return (json.dumps(small, separators=(",", ":"), default=str) + "\n").encode("ascii")


def emit(hook, fields=None, error=None):
    """Write one record (fields: a dict, or a callable returning one); never raises, never prints."""
    fd = FD
    if fd is None:
        return
    try:
        record = {"hook": hook, "pid": os.getpid(), "ppid": os.getppid(), "time": time.time()}
        if fields is not None:
            record.update(fields() if callable(fields) else fields)
        if error is not None:
            record["userHookError"] = error
        os.write(fd, encode(record))
    except Exception:
        pass
