/**
 * The channel writer of the rendered gunicorn.conf.py (Python): the imports every runtime piece uses,
 * the fd named by GWARDEN_EVENT_FD (a pipe or connected unix socket, made non-blocking so a stalled
 * reader drops records instead of blocking gunicorn, and non-inheritable so exec'd app subprocesses do
 * not hold it), and _gw_emit, which writes one HookRecord line per os.write and never raises.
 */
export const CHANNEL_RUNTIME = String.raw`
import gc as _gw_gc
import json as _gw_json
import os as _gw_os
import sys as _gw_sys
import threading as _gw_threading
import time as _gw_time

_GW_MAX_LINE = 4000  # below PIPE_BUF (4096): one os.write is one atomic line


def _gw_open_channel():
    """The fd named by GWARDEN_EVENT_FD if it is a pipe or a connected unix socket, else None."""
    try:
        fd = int(_gw_os.environ.get("GWARDEN_EVENT_FD", ""))
        if fd < 0:
            return None
        import stat
        mode = _gw_os.fstat(fd).st_mode
        if stat.S_ISSOCK(mode):
            import socket
            sock = socket.socket(fileno=fd)
            try:
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                    return None  # a listener (e.g. inherited by a USR2 master), never ours
            finally:
                sock.detach()
        elif not stat.S_ISFIFO(mode):
            return None
        _gw_os.set_inheritable(fd, False)  # app subprocesses that exec do not keep the channel
        _gw_os.set_blocking(fd, False)  # a reader that stalls drops records, never blocks gunicorn
        return fd
    except Exception:
        return None


_GW_FD = _gw_open_channel()


def _gw_emit(hook, fields=None, error=None):
    """Write one HookRecord line to the channel; never raises, never touches stdout/stderr."""
    fd = _GW_FD
    if fd is None:
        return
    try:
        record = {"hook": hook, "pid": _gw_os.getpid(), "ppid": _gw_os.getppid(), "time": _gw_time.time()}
        if fields is not None:
            record.update(fields())
        if error is not None:
            record["userHookError"] = error
        data = (_gw_json.dumps(record, separators=(",", ":"), default=str) + "\n").encode("ascii")
        if len(data) > _GW_MAX_LINE:
            keep = ("hook", "pid", "ppid", "time", "worker", "status", "exitcode", "signal", "new", "old")
            small = {k: v for k, v in record.items() if k in keep}
            small["truncated"] = True
            data = (_gw_json.dumps(small, separators=(",", ":"), default=str) + "\n").encode("ascii")
        _gw_os.write(fd, data)
    except Exception:
        pass
`;
