"""Driver of test/integration/kernel-events-v1.test.ts (not a unit test): plays gunicorn's master.

Run inside a memory cgroup with the hook channel on GWARDEN_EVENT_FD. argv: the group's directory,
then threshold offsets in MiB above the group's usage at start. It registers those thresholds with
kernel_events.start() as the master does in when_ready, forks a child (the fork drops the watcher's
fds there) that allocates and touches memory 1 MiB at a time, reading memory.usage_in_bytes after
each step; the child prints, as one JSON line, for each threshold the time of its last sighting of
usage below it and of its first sighting at or past it: the crossing happened between the two.

The kernel checks thresholds only every 128 page charges per CPU (memcg1_check_events), and it signals
the thresholds between its previous check and the usage it sees now: a crossing in the last pages
before growth stops is never signalled (the drop at exit is "below" against "below"). So the child
grows PAST_LAST more after the last crossing, as a growing worker would, before it reports and exits.
"""
import json
import os
import sys
import time

from gwarden_runtime import kernel_events

MiB = 1 << 20
PAST_LAST = 4  # MiB: 1024 page charges, at least one threshold check on whichever CPU it ran


def usage(fd):
    return int(os.pread(fd, 64, 0))


def main():
    group = sys.argv[1]
    usage_fd = os.open(os.path.join(group, "memory.usage_in_bytes"), os.O_RDONLY)
    base = usage(usage_fd)
    thresholds = [base + int(mib) * MiB for mib in sys.argv[2:]]
    os.environ["GWARDEN_MEMORY_THRESHOLDS"] = ",".join(str(t) for t in thresholds)
    watcher = kernel_events.start()
    if watcher is None or not watcher.sources:
        print(json.dumps({"error": "the watcher did not start"}), flush=True)
        return 2
    pid = os.fork()
    if pid == 0:
        held, crossed, pending = [], {}, sorted(thresholds)
        watcher_fds_closed = kernel_events._WATCHER is None
        below = time.time()
        while pending:
            held.append(bytearray(b"\x01") * MiB)
            seen = usage(usage_fd)
            now = time.time()
            while pending and seen >= pending[0]:
                crossed[str(pending.pop(0))] = [below, now]
            below = now
        for _ in range(PAST_LAST):
            held.append(bytearray(b"\x01") * MiB)
        print(json.dumps({"crossed": crossed, "childDroppedWatcher": watcher_fds_closed}), flush=True)
        time.sleep(0.5)
        os._exit(0)
    os.waitpid(pid, 0)
    time.sleep(0.3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
