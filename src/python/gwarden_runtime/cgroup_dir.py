"""The memory cgroup of this process: (version, directory), for the master's kernel-event watcher.

GWARDEN_CGROUP_DIR wins when gwarden knows the group (it made it, or detected it). Otherwise the
group is resolved from /proc/self/cgroup and /proc/self/mountinfo by the rules of
research/cgroups.md sections 1-2 (the TypeScript detector in src/core/cgroup/ follows the same): the memory
controller is v1 when a v1 hierarchy carries it, else v2 when there is a `0::` line and a cgroup2
mount; the directory is the mount point plus the path below the mount's root (nested roots, as in
containers without a cgroup namespace), compared component-wise.
"""
import os

ENV_DIR = "GWARDEN_CGROUP_DIR"


def parse_proc_cgroup(text):
    """{"v1": {controller: path}, "v2": path or None} from /proc/self/cgroup."""
    v1, v2 = {}, None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3 or not parts[2].startswith("/"):
            continue
        ident, controllers, path = parts
        if path.endswith(" (deleted)"):
            path = path[: -len(" (deleted)")]
        if ident == "0" and controllers == "":
            v2 = path
        else:
            for controller in controllers.split(","):
                if controller:
                    v1[controller] = path
    return {"v1": v1, "v2": v2}


def _unescape(field):
    """Octal escapes of mountinfo (\\040 space, \\011 tab, \\012 newline, \\134 backslash)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text):
    """Cgroup mounts: a list of dicts with root, point, fstype and options (super options)."""
    mounts = []
    for line in text.splitlines():
        head, sep, tail = line.partition(" - ")
        if not sep:
            continue
        fields = head.split(" ")
        rest = tail.split(" ", 2)
        if len(fields) < 6 or len(rest) < 2:
            continue
        fstype = rest[0]
        if fstype not in ("cgroup", "cgroup2"):
            continue
        options = rest[2].split(",") if len(rest) > 2 else []
        mounts.append({"root": _unescape(fields[3]), "point": _unescape(fields[4]),
                       "fstype": fstype, "options": options})
    return mounts


def below(root, path):
    """The part of `path` below `root` ("" when equal), compared by components; None when outside."""
    if root == "/":
        return path.rstrip("/")
    r = [p for p in root.split("/") if p]
    p = [q for q in path.split("/") if q]
    if p[: len(r)] != r:
        return None
    return "".join("/" + q for q in p[len(r):])


def _resolve(mounts, path):
    """The directory of `path` in the first usable mount (under /sys/fs/cgroup preferred), or None.
    A path outside our cgroup namespace ("/../..") has no directory we could watch."""
    if "/.." in path:
        return None
    usable = [m for m in mounts if not m["root"].startswith("/..")]
    usable.sort(key=lambda m: 0 if (m["point"] + "/").startswith("/sys/fs/cgroup/") else 1)
    for m in usable:
        rel = below(m["root"], path)
        if rel is not None:
            return (m["point"].rstrip("/") + rel) or "/"
    return None


def resolve(proc_cgroup, mountinfo):
    """("v1" | "v2", directory), or (None, reason) when the memory group cannot be found."""
    groups = parse_proc_cgroup(proc_cgroup)
    mounts = parse_mountinfo(mountinfo)
    v1 = [m for m in mounts if m["fstype"] == "cgroup" and "memory" in m["options"]]
    if v1:
        path = groups["v1"].get("memory")
        if path is None:
            return None, "no memory line in /proc/self/cgroup"
        found = _resolve(v1, path)
        return ("v1", found) if found else (None, "memory cgroup %s is outside every mount" % path)
    v2 = [m for m in mounts if m["fstype"] == "cgroup2"]
    if v2 and groups["v2"] is not None:
        found = _resolve(v2, groups["v2"])
        if found:
            return "v2", found
        return None, "cgroup %s is outside every cgroup2 mount" % groups["v2"]
    return None, "no memory cgroup mounted"


def memory_group(environ=None, root=""):
    """("v1" | "v2", directory) of this process's memory cgroup, or (None, reason)."""
    environ = os.environ if environ is None else environ
    given = environ.get(ENV_DIR, "")
    if given:
        if os.path.exists(os.path.join(given, "memory.usage_in_bytes")):
            return "v1", given
        if os.path.exists(os.path.join(given, "memory.current")):
            return "v2", given
        return None, "%s=%s is not a memory cgroup" % (ENV_DIR, given)
    try:
        with open(root + "/proc/self/cgroup") as f:
            proc_cgroup = f.read()
        with open(root + "/proc/self/mountinfo") as f:
            mountinfo = f.read()
    except OSError as e:
        return None, "cannot read /proc/self: %s" % e
    return resolve(proc_cgroup, mountinfo)
