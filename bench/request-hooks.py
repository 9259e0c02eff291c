"""What gwarden's request hooks cost a worker, per request, in microseconds (issue 10 item 1).

    PYTHONPATH=src/python /usr/bin/python3 bench/request-hooks.py

Runs the real pre_request / post_request that gwarden_runtime.hooks.install() defines, with a stand-in
worker and request, in five set-ups, alternated over several rounds (median of the rounds):

    none      gunicorn's own default hooks (pre_request logs at debug; post_request does nothing)
    records   what gwarden did before: one channel record per pre_request and per post_request,
              to a pipe drained by another process
    counters  the shared-memory counters ($GWARDEN_STATS_DIR on /dev/shm)
    guard     the memory guard (a pread of /proc/self/statm per request)
    both      counters and guard: what gwarden run's workers do now
"""
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = 5
CALLS = 20000


class Log:
    def debug(self, *args):
        pass

    info = debug


class Cfg:
    threads = 1
    graceful_timeout = 30


class Worker:
    """What the hooks touch of gunicorn's SyncWorker."""

    def __init__(self):
        self.log = Log()
        self.cfg = Cfg()
        self.alive = True
        self.nr = 0
        self.pid = os.getpid()


SyncWorker = type("SyncWorker", (Worker,), {})


class Req:
    method = "GET"
    path = "/"


def setup(kind, stats_dir):
    """A fresh gwarden_runtime with the environment of `kind`; returns (pre, post) hooks."""
    for name in [m for m in sys.modules if m == "gwarden_runtime" or m.startswith("gwarden_runtime.")]:
        del sys.modules[name]
    for key in ("GWARDEN_STATS_DIR", "GWARDEN_GUARD_BYTES", "GWARDEN_EVENT_FD"):
        os.environ.pop(key, None)
    if kind in ("counters", "both"):
        os.environ["GWARDEN_STATS_DIR"] = stats_dir
    if kind in ("guard", "both"):
        os.environ["GWARDEN_GUARD_BYTES"] = str(1 << 40)
    if kind == "records":
        os.environ["GWARDEN_EVENT_FD"] = str(RECORDS_FD)
    from gwarden_runtime import channel, hooks
    g = {}
    hooks.install(g, {})
    worker = SyncWorker()
    if "post_fork" in g:
        g["post_fork"](None, worker)
        g["post_worker_init"](worker)
    if kind == "records":
        # The per-request records of gwarden <= issue 10, around gunicorn's default hooks.
        from gunicorn.config import PreRequest, PostRequest
        default_pre, default_post = PreRequest.default, PostRequest.default
        busy = [0]

        def pre(w, req):
            busy[0] += 1
            channel.emit("pre_request", {"busy": busy[0]})
            default_pre(w, req)

        def post(w, req, environ, resp):
            default_post(w, req, environ, resp)
            busy[0] -= 1
            channel.emit("post_request", {"busy": busy[0]})
        return worker, pre, post
    if "pre_request" not in g:
        from gunicorn.config import PreRequest, PostRequest
        return worker, PreRequest.default, PostRequest.default
    return worker, g["pre_request"], g["post_request"]


def measure(kind, stats_dir):
    worker, pre, post = setup(kind, stats_dir)
    req = Req()
    start = time.perf_counter()
    for _ in range(CALLS):
        pre(worker, req)
        post(worker, req, {}, None)
    return (time.perf_counter() - start) / CALLS * 1e6


def main():
    global RECORDS_FD
    logging.disable(logging.CRITICAL)
    sink = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    RECORDS_FD = sink.stdin.fileno()
    os.set_inheritable(RECORDS_FD, True)
    kinds = ["none", "records", "counters", "guard", "both"]
    results = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(dir="/dev/shm") as stats_dir:
        for _ in range(ROUNDS):
            for kind in kinds:
                results[kind].append(measure(kind, stats_dir))
    sink.stdin.close()
    sink.wait()
    medians = {kind: round(statistics.median(values), 2) for kind, values in results.items()}
    print(json.dumps({"microsecondsPerRequest": medians, "rounds": ROUNDS, "callsPerRound": CALLS,
                      "python": sys.version.split()[0], "loadavg": os.getloadavg()[0]}))


RECORDS_FD = -1

if __name__ == "__main__":
    main()
