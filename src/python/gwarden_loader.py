def _gw_load_runtime(modules, origin):
    """Create the modules of gwarden_runtime from their embedded sources and register them in
    sys.modules under `gwarden_runtime.<name>`, in order (each imports only modules before it).

    A module already loaded from the same source is kept as it is: gunicorn executes this file
    again on every HUP, and the master's kernel-event watcher and the channel's fd must survive
    that. Tracebacks show the embedded lines (they are put in linecache under the module's name).
    """
    import linecache
    import sys
    import types

    for name, source in modules:
        full = "gwarden_runtime" if name == "__init__" else "gwarden_runtime." + name
        module = sys.modules.get(full)
        fresh = module is None or getattr(module, "__gw_source__", None) != source
        if fresh:
            filename = "%s (embedded gwarden_runtime/%s.py)" % (origin, name)
            module = types.ModuleType(full)
            module.__file__ = filename
            module.__gw_source__ = source
            if name == "__init__":
                module.__path__ = []
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            sys.modules[full] = module
        if name != "__init__":
            setattr(sys.modules["gwarden_runtime"], name, module)
        if fresh:
            exec(compile(source, module.__file__, "exec"), module.__dict__)
    return sys.modules["gwarden_runtime"]
