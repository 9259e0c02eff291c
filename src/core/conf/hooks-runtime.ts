/**
 * The hook half of the rendered gunicorn.conf.py (Python 3 of gunicorn 20.1 – 26.x), after the channel
 * writer (channel-runtime.ts). It only defines functions; render.ts calls _gw_load_user_config,
 * _gw_user_settings and _gw_install_hooks. Which hooks record before or after
 * the user's own hook is documented with the wire format in src/core/events/hook-record.ts; a hook the
 * user did not define chains to gunicorn's default (pre_request's debug line), and a user hook's
 * exception is always re-raised so gunicorn reacts to it exactly as it would without gwarden.
 */
export const HOOKS_RUNTIME = String.raw`
def _gw_run(hook, previous, args, fields, record_first):
    """Chain the user's (or gunicorn's default) hook with gwarden's record, re-raising its errors."""
    if record_first:
        _gw_emit(hook, fields)
        if previous is not None:
            previous(*args)
        return
    try:
        if previous is not None:
            previous(*args)
    except BaseException as e:
        _gw_emit(hook, fields, type(e).__name__)
        raise
    _gw_emit(hook, fields)


def _gw_known_settings():
    try:
        from gunicorn.config import KNOWN_SETTINGS
        return {s.name: s for s in KNOWN_SETTINGS}
    except Exception:
        return None


def _gw_load_user_config(location):
    """Execute the user's config like gunicorn does for -c and return its module-level names."""
    if location is None:
        return {}
    import importlib
    if location.startswith("python:"):
        return dict(vars(importlib.import_module(location[len("python:"):])))
    if location.startswith("file:"):
        location = location[len("file:"):]
    if not _gw_os.path.exists(location):
        raise RuntimeError("gwarden: the user config %r does not exist" % location)
    own = globals().get("__file__")
    if own and _gw_os.path.realpath(own) == _gw_os.path.realpath(location):
        raise RuntimeError("gwarden: the user config %r is this generated file itself" % location)
    import importlib.machinery
    import importlib.util
    name = "__gwarden_user_config__"
    if _gw_os.path.splitext(location)[1] in (".py", ".pyc"):
        spec = importlib.util.spec_from_file_location(name, location)
    else:
        loader = importlib.machinery.SourceFileLoader(name, location)
        spec = importlib.util.spec_from_file_location(name, location, loader=loader)
    module = importlib.util.module_from_spec(spec)
    _gw_sys.modules[name] = module
    spec.loader.exec_module(module)
    return dict(vars(module))


def _gw_user_settings(names):
    """The user's names gunicorn would read as settings (all public names if gunicorn is unknown)."""
    known = _gw_known_settings()
    if known is None:
        return {k: v for k, v in names.items() if not k.startswith("_")}
    return {k: v for k, v in names.items() if k in known}


def _gw_previous(names, hook):
    """The callable gwarden chains to: the user's hook (validated as gunicorn would), else the default."""
    setting = (_gw_known_settings() or {}).get(hook)
    value = names.get(hook)
    if value is None:
        return None if setting is None else setting.default
    if setting is None:
        return value
    try:
        return setting.validator(value)
    except Exception as e:
        raise TypeError("gwarden: invalid %s hook in the user config: %s" % (hook, e))


def _gw_wait_status():
    """The raw wait status from gunicorn's reap_workers frame (every release has it), else None."""
    try:
        frame = _gw_sys._getframe(1)
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


def _gw_exit_fields(worker, status):
    fields = {"worker": getattr(worker, "pid", None), "status": status, "exitcode": None, "signal": None}
    if status is not None:
        if _gw_os.WIFEXITED(status):
            fields["exitcode"] = _gw_os.WEXITSTATUS(status)
        elif _gw_os.WIFSIGNALED(status):
            fields["signal"] = _gw_os.WTERMSIG(status)
    return fields


def _gw_install_hooks(g, names, gc_freeze, request_hooks):
    """Define gwarden's wrapping hooks in the config module's namespace g."""
    p = {h: _gw_previous(names, h) for h in (
        "on_starting", "when_ready", "pre_fork", "post_fork", "post_worker_init", "worker_int",
        "worker_abort", "child_exit", "worker_exit", "nworkers_changed", "on_reload", "on_exit",
        "pre_request", "post_request")}

    def on_starting(server):
        def fields():
            import gunicorn
            return {"version": str(gunicorn.__version__)}
        _gw_run("on_starting", p["on_starting"], (server,), fields, False)

    def when_ready(server):
        def fields():
            return {"addresses": [str(l) for l in getattr(server, "LISTENERS", [])],
                    "workerClass": str(server.cfg.worker_class_str)}
        _gw_run("when_ready", p["when_ready"], (server,), fields, False)

    def post_fork(server, worker):
        if gc_freeze:
            _gw_gc.enable()
        _gw_run("post_fork", p["post_fork"], (server, worker), lambda: {"worker": worker.pid}, False)

    def post_worker_init(worker):
        _gw_run("post_worker_init", p["post_worker_init"], (worker,), None, False)

    def worker_int(worker):
        _gw_run("worker_int", p["worker_int"], (worker,), None, True)

    def worker_abort(worker):
        _gw_run("worker_abort", p["worker_abort"], (worker,), None, True)

    def child_exit(server, worker):
        status = _gw_wait_status()
        _gw_run("child_exit", p["child_exit"], (server, worker), lambda: _gw_exit_fields(worker, status), True)

    def worker_exit(server, worker):
        _gw_run("worker_exit", p["worker_exit"], (server, worker), lambda: {"worker": worker.pid}, True)

    def nworkers_changed(server, new_value, old_value):
        _gw_run("nworkers_changed", p["nworkers_changed"], (server, new_value, old_value),
                lambda: {"new": new_value, "old": old_value}, False)

    def on_reload(server):
        _gw_run("on_reload", p["on_reload"], (server,), None, False)

    def on_exit(server):
        _gw_run("on_exit", p["on_exit"], (server,), None, True)

    hooks = [on_starting, when_ready, post_fork, post_worker_init, worker_int, worker_abort,
             child_exit, worker_exit, nworkers_changed, on_reload, on_exit]

    if gc_freeze:
        def pre_fork(server, worker):
            previous = p["pre_fork"]
            if previous is not None:
                previous(server, worker)
            if hasattr(_gw_gc, "freeze"):
                _gw_gc.freeze()
        hooks.append(pre_fork)

    if request_hooks:
        lock = _gw_threading.Lock()
        busy = [0]

        def pre_request(worker, req):
            with lock:
                busy[0] += 1
                now = busy[0]
            _gw_emit("pre_request", lambda: {"busy": now})
            previous = p["pre_request"]
            if previous is not None:
                previous(worker, req)

        def post_request(worker, req, environ, resp):
            try:
                previous = p["post_request"]
                if previous is not None:
                    previous(worker, req, environ, resp)
            finally:
                with lock:
                    busy[0] = max(0, busy[0] - 1)
                    now = busy[0]
                _gw_emit("post_request", lambda: {"busy": now})
        hooks.extend([pre_request, post_request])

    for hook in hooks:
        g[hook.__name__] = hook
`;
