"""Reading cgroup and PSI files for the kernel-event watcher; a file that cannot be read gives None."""


def parse_flat_keyed(text):
    """{"key": int} from a flat-keyed cgroup file (memory.events, memory.oom_control)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def parse_psi_avg10(text):
    """{"some": avg10, "full": avg10} from a PSI file (newer kernels may add fields: ignored)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        for token in parts[1:]:
            if token.startswith("avg10="):
                out[parts[0]] = float(token[len("avg10="):])
    return out


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("ascii", "replace")
    except OSError:
        return None


def read_number(path):
    text = read_text(path)
    try:
        return int(text.split()[0])
    except (AttributeError, IndexError, ValueError):
        return None  # unreadable, or v2's "max"


def limit_or_none(value):
    """A limit in bytes, None when unlimited (v1 writes ~2^63 rounded to a page, v2 "max")."""
    return None if value is None or value >= 1 << 62 else value
