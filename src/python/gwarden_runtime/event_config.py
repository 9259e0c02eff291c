"""What the master's kernel-event watcher is asked to watch, from gwarden's environment variables.

    GWARDEN_MEMORY_THRESHOLDS  cgroup v1: usage thresholds in bytes, comma-separated
    GWARDEN_MEMORY_PSI         cgroup v2: a PSI trigger, "some|full <stall us> <window us>"
                               (window 0.5-10 s, as the kernel requires)
    GWARDEN_MEMORY_EVENTS      "1": v2 memory.events changes, v1 OOM notifications
    GWARDEN_MEMORY_HIGH        cgroup v2, where gwarden owns the group: memory.high in bytes
"""
ENV_THRESHOLDS = "GWARDEN_MEMORY_THRESHOLDS"
ENV_PSI = "GWARDEN_MEMORY_PSI"
ENV_EVENTS = "GWARDEN_MEMORY_EVENTS"
ENV_HIGH = "GWARDEN_MEMORY_HIGH"


def psi_trigger(spec):
    """The bytes to write to memory.pressure for "some|full <stall us> <window us>"; ValueError if bad."""
    parts = spec.split()
    if len(parts) != 3 or parts[0] not in ("some", "full"):
        raise ValueError("expected 'some|full <stall us> <window us>', got %r" % spec)
    stall, window = int(parts[1]), int(parts[2])
    if not 500000 <= window <= 10000000:
        raise ValueError("the window must be 500000-10000000 us, got %d" % window)
    if not 0 < stall <= window:
        raise ValueError("the stall must be 1-%d us, got %d" % (window, stall))
    return ("%s %d %d" % (parts[0], stall, window)).encode("ascii") + b"\0"


def config_from(environ):
    """What the environment asks to watch: (config dict, [error strings])."""
    config = {"thresholds": [], "psi": None, "events": False, "high": None}
    errors = []
    for item in environ.get(ENV_THRESHOLDS, "").split(","):
        if item.strip():
            try:
                config["thresholds"].append(int(item))
            except ValueError:
                errors.append("%s: %r is not a byte count" % (ENV_THRESHOLDS, item))
    if environ.get(ENV_PSI, "").strip():
        try:
            psi_trigger(environ[ENV_PSI])
            config["psi"] = " ".join(environ[ENV_PSI].split())
        except ValueError as e:
            errors.append("%s: %s" % (ENV_PSI, e))
    config["events"] = environ.get(ENV_EVENTS, "").strip() in ("1", "true", "yes")
    if environ.get(ENV_HIGH, "").strip():
        try:
            config["high"] = int(environ[ENV_HIGH])
        except ValueError:
            errors.append("%s: %r is not a byte count" % (ENV_HIGH, environ[ENV_HIGH]))
    return config, errors


def wanted(config):
    return bool(config["thresholds"] or config["psi"] or config["events"] or config["high"])
