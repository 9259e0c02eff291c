"""gunicorn's server hooks as gwarden installs them: each chains the user's own hook (or gunicorn's
default) and adds gwarden's part: a lifecycle record on the channel, the per-worker counters, the
memory guard, the kernel-event watcher, gc.freeze with preload.

Records of hooks that announce a state reached are written after the user's hook (with
`userHookError` if it raised); records of an end or an interruption (worker_int, worker_abort,
child_exit, worker_exit, on_exit) before it. A user hook's exception is always re-raised, so
gunicorn reacts exactly as it would without gwarden. The wire format and the order are documented in
src/core/events/hook-record.ts.

pre_request / post_request are installed only when there is per-request work to do: counters
(GWARDEN_STATS_DIR) or a memory-guard budget. They write nothing on the channel.
"""
import gc
import os
import sys
import threading
import time

from gwarden_runtime import channel, guard, kernel_events, retire, stats, user_config

_now = time.time


class Requests:
    """What a worker does around each request: its counters, its memory guard and the count of
    requests in flight. This flavour serves one request at a time (sync workers): no locks."""

    def __init__(self, counters):
        self.counters = counters
        self.guard = None
        self.in_flight = 0

    def begin(self, key):
        self.in_flight += 1
        counters = self.counters
        if counters is not None:
            counters.begin(key, _now())

    def end(self, worker, key):
        self.in_flight -= 1
        self.finish(worker, key)

    def finish(self, worker, key):
        """After the request: the guard's check, then one write of the counters."""
        now = _now()
        g = self.guard
        # The guard's window inlined (Guard.check starts with it): until `due`, memory cannot have
        # grown to the budget since the last read, and the check is these two comparisons.
        if g is not None and not g.read_at <= now < g.due:
            try:
                if g.check(now):
                    retire_worker(worker, g, self)
            except Exception:
                g.close()  # /proc stopped answering: the guard is off, the worker serves on
                self.guard = g = None
        counters = self.counters
        if counters is not None:
            counters.end(key, now, g)


class ThreadedRequests(Requests):
    """The same for a worker that serves several requests at once (gthread, async workers)."""

    def __init__(self, counters):
        super().__init__(counters)
        self.lock = threading.Lock()

    def begin(self, key):
        with self.lock:
            self.in_flight += 1
        counters = self.counters
        if counters is not None:
            counters.begin(key, _now())

    def end(self, worker, key):
        with self.lock:
            self.in_flight -= 1
        self.finish(worker, key)


# This worker's Requests (module state is per process: each forked worker sets its own in
# post_fork), None where there is no per-request work.
_requests = None


def run_hook(hook, previous, args, fields, record_first):
    """Chain the user's (or gunicorn's default) hook with gwarden's record, re-raising its errors."""
    if record_first:
        channel.emit(hook, fields)
        if previous is not None:
            previous(*args)
        return
    try:
        if previous is not None:
            previous(*args)
    except BaseException as e:
        channel.emit(hook, fields, type(e).__name__)
        raise
    channel.emit(hook, fields)


def wait_status():
    """The raw wait status from gunicorn's reap_workers frame (every release has it), else None."""
    try:
        frame = sys._getframe(1)
        for _ in range(8):
            if frame is None:
                return None
            if frame.f_code.co_name == "reap_workers":
                status = frame.f_locals.get("status")
                return status if isinstance(status, int) else None
            frame = frame.f_back
    except Exception:
        pass
    return None


def exit_fields(worker, status):
    fields = {"worker": getattr(worker, "pid", None), "status": status, "exitcode": None, "signal": None}
    if status is not None:
        if os.WIFEXITED(status):
            fields["exitcode"] = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            fields["signal"] = os.WTERMSIG(status)
    return fields


def request_slots(worker):
    """How many requests this worker serves at once: threads for gthread, connections for async."""
    kind = type(worker).__name__
    if "Thread" in kind:
        return getattr(worker.cfg, "threads", 1)
    if "Sync" in kind:
        return 1
    return getattr(worker.cfg, "worker_connections", 1)


def threads_of(worker):
    """The worker's OS threads that serve requests: gthread's threads, else 1 (async workers'
    connections share one thread)."""
    return getattr(worker.cfg, "threads", 1) if "Thread" in type(worker).__name__ else 1


def start_guard(worker, budget, explicit, counters):
    """post_worker_init: measure the fresh worker and arm the guard; off if /proc cannot tell."""
    try:
        g = guard.Guard(budget, explicit, threads_of(worker))
        g.start()
    except Exception:
        return None
    if counters is not None:
        counters.update(flags=counters.flags | stats.FLAG_GUARD, budget=g.budget, g=g)
    return g


def retire_worker(worker, g, requests):
    """Past the budget: stop after this request, as max_requests does, and say so once."""
    retire.stop(worker, lambda: requests.in_flight)
    fields = g.figures()
    fields["requests"] = getattr(worker, "nr", None)
    try:
        worker.log.info("gwarden: memory guard: private memory %d MiB >= budget %d MiB; "
                        "retiring after this request", fields["private"] >> 20, fields["budget"] >> 20)
    except Exception:
        pass
    channel.emit("memory_guard", fields)


HOOKS = ("on_starting", "when_ready", "pre_fork", "post_fork", "post_worker_init", "worker_int",
         "worker_abort", "child_exit", "worker_exit", "nworkers_changed", "on_reload", "on_exit",
         "pre_request", "post_request")


def install(g, names, gc_freeze=False, guard_budget=None):
    """Define gwarden's hooks in the config module's namespace g, chaining the user's `names`.

    guard_budget: {"bytes": N, "explicit": bool} embedded by the renderer, or None; the environment
    (GWARDEN_GUARD_BYTES) overrides it.
    """
    p = {h: user_config.previous_hook(names, h) for h in HOOKS}
    stats_dir = stats.directory()
    budget, explicit = guard.budget_from(os.environ, guard_budget)
    per_request = stats_dir is not None or budget is not None

    def on_starting(server):
        def fields():
            import gunicorn
            return {"version": str(gunicorn.__version__)}
        run_hook("on_starting", p["on_starting"], (server,), fields, False)

    def when_ready(server):
        def fields():
            return {"addresses": [str(listener) for listener in getattr(server, "LISTENERS", [])],
                    "workerClass": str(server.cfg.worker_class_str)}
        try:
            run_hook("when_ready", p["when_ready"], (server,), fields, False)
        finally:
            kernel_events.start()

    def post_fork(server, worker):
        if gc_freeze:
            gc.enable()
        if per_request:
            global _requests
            slots = request_slots(worker)
            counters = stats.open_counters(slots) if stats_dir is not None else None
            _requests = (Requests if slots <= 1 else ThreadedRequests)(counters)
        run_hook("post_fork", p["post_fork"], (server, worker), lambda: {"worker": worker.pid}, False)

    def post_worker_init(worker):
        r = _requests
        if r is not None:
            if budget is not None:
                r.guard = start_guard(worker, budget, explicit, r.counters)
            if r.counters is not None:
                r.counters.set_flag(stats.FLAG_READY)
        run_hook("post_worker_init", p["post_worker_init"], (worker,), None, False)

    def worker_int(worker):
        run_hook("worker_int", p["worker_int"], (worker,), None, True)

    def worker_abort(worker):
        run_hook("worker_abort", p["worker_abort"], (worker,), None, True)

    def child_exit(server, worker):
        status = wait_status()
        if stats_dir is not None:
            stats.remove(stats_dir, worker.pid)
        run_hook("child_exit", p["child_exit"], (server, worker), lambda: exit_fields(worker, status), True)

    def worker_exit(server, worker):
        r = _requests
        if r is not None and r.counters is not None and r.counters.pid == os.getpid():
            r.counters.close()
            r.counters = None
        run_hook("worker_exit", p["worker_exit"], (server, worker), lambda: {"worker": worker.pid}, True)

    def nworkers_changed(server, new_value, old_value):
        run_hook("nworkers_changed", p["nworkers_changed"], (server, new_value, old_value),
                 lambda: {"new": new_value, "old": old_value}, False)

    def on_reload(server):
        run_hook("on_reload", p["on_reload"], (server,), None, False)

    def on_exit(server):
        run_hook("on_exit", p["on_exit"], (server,), None, True)

    hooks = [on_starting, when_ready, post_fork, post_worker_init, worker_int, worker_abort,
             child_exit, worker_exit, nworkers_changed, on_reload, on_exit]

    if gc_freeze:
        def pre_fork(server, worker):
            previous = p["pre_fork"]
            if previous is not None:
                previous(server, worker)
            gc.freeze()
        hooks.append(pre_fork)

    if per_request:
        previous_pre, previous_post = p["pre_request"], p["post_request"]

        def pre_request(worker, req):
            r = _requests
            if r is not None:
                r.begin(id(req))
            if previous_pre is not None:
                previous_pre(worker, req)

        def post_request(worker, req, environ, resp):
            try:
                if previous_post is not None:
                    previous_post(worker, req, environ, resp)
            finally:
                r = _requests
                if r is not None:
                    r.end(worker, id(req))
        hooks.extend([pre_request, post_request])

    for hook in hooks:
        g[hook.__name__] = hook
