"""Driver of test/vm/kernel-events-v2.test.ts (cgroup v2 only; not a unit test): plays gunicorn's master.

As root on a cgroup v2 host whose root delegates the memory controller, it makes a child group
(memory.max 96 MiB, no swap), moves itself in, opens the hook channel on a pipe of its own and starts
the watcher of kernel_events with GWARDEN_MEMORY_HIGH (48 MiB: gwarden owns this group), a PSI
trigger and memory.events. A forked child allocates and touches memory 1 MiB at a time past
memory.high (under memory.max: the kernel throttles the child instead of killing it; without swap it
crawls) and keeps going for HOLD seconds after it first sees memory.current at memory.high. It prints
one JSON line: when the child first saw usage past memory.high, the first record of each kind and how
many of each came, memory.events at the end, and whether each expected record came; exit status 0
when they all did. The group is removed at the end. argv: [parent group directory, default
/sys/fs/cgroup].
"""
import json
import os
import sys
import time

MiB = 1 << 20
HIGH = 48 * MiB
MAX = 96 * MiB
ALLOCATE = 72 * MiB
HOLD = 3.0
TRIGGER = "some 50000 1000000"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def drain(fd):
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return data
        if not chunk:
            return data
        data += chunk


def child(group, report):
    held, past_high = [], None
    current = os.open(os.path.join(group, "memory.current"), os.O_RDONLY)
    while len(held) * MiB < ALLOCATE and (past_high is None or time.time() - past_high < HOLD):
        held.append(bytearray(b"\x01") * MiB)
        if past_high is None and int(os.pread(current, 64, 0)) >= HIGH:
            past_high = time.time()
    os.write(report, json.dumps(past_high).encode())
    os._exit(0)


def main():
    parent = sys.argv[1] if len(sys.argv) > 1 else "/sys/fs/cgroup"
    group = os.path.join(parent, "gwarden-psi-%d" % os.getpid())
    os.mkdir(group)
    try:
        write(os.path.join(group, "memory.max"), str(MAX))
        if os.path.exists(os.path.join(group, "memory.swap.max")):
            write(os.path.join(group, "memory.swap.max"), "0")
        write(os.path.join(group, "cgroup.procs"), str(os.getpid()))
        return run(group)
    finally:
        write(os.path.join(parent, "cgroup.procs"), str(os.getpid()))
        os.rmdir(group)


def run(group):
    r, w = os.pipe()
    os.set_blocking(r, False)
    report_r, report_w = os.pipe()
    os.environ.update({
        "GWARDEN_EVENT_FD": str(w),
        "GWARDEN_MEMORY_PSI": TRIGGER,
        "GWARDEN_MEMORY_EVENTS": "1",
        "GWARDEN_MEMORY_HIGH": str(HIGH),
    })
    from gwarden_runtime import kernel_events  # the channel reads GWARDEN_EVENT_FD at import

    watcher = kernel_events.start()
    started = time.time()
    pid = os.fork()
    if pid == 0:
        child(group, report_w)
    records, buffer = [], b""
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        buffer += drain(r)
        *lines, buffer = buffer.split(b"\n")
        records += [dict(json.loads(line), arrived=time.time()) for line in lines if line]
        if done:
            break
        time.sleep(0.01)
    time.sleep(0.5)
    buffer += drain(r)
    records += [dict(json.loads(line), arrived=time.time()) for line in buffer.split(b"\n") if line]
    past_high = json.loads(os.read(report_r, 4096) or b"null")
    with open(os.path.join(group, "memory.events")) as f:
        events = f.read()
    kinds = [r.get("kind") for r in records]
    first = {}
    for r in records:
        first.setdefault(r.get("kind"), r)
    checks = {
        "watcher": watcher is not None and bool(watcher.sources),
        "high": any(r.get("kind") == "high" and r.get("high") == HIGH for r in records),
        "events": any(r.get("kind") == "events" and "high" in r.get("changed", []) for r in records),
        "psi": "psi" in kinds,
        "unavailable": "unavailable" not in kinds,
    }
    counts = {kind: kinds.count(kind) for kind in set(kinds)}
    print(json.dumps({"started": started, "pastHigh": past_high, "first": first, "counts": counts,
                      "memoryEvents": events, "checks": checks}), flush=True)
    if watcher is not None:
        watcher.stop()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
