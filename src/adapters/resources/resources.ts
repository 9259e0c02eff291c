/**
 * The one-call resource detection others use (plan, doctor, profile, run, the sampler): reads the real
 * /proc and /sys (or a copy under `root`). Cheap enough to call every second: a few dozen small reads.
 */
import { availableParallelism } from "node:os";
import type { Resources } from "../../core/resources/types.js";
import { detect } from "../../core/resources/detect.js";
import { hasEnded } from "../../core/proc/proc-stat.js";
import { parseProcStatus } from "../../core/proc/proc-status.js";
import type { Reader, ReadResult } from "../../core/resources/probe.js";
import { rootedReader } from "./root-fs.js";

export interface DetectResourcesOptions {
  /** Directory holding proc/ and sys/ (default "/": this machine). */
  root?: string;
  /** CPUs in the affinity mask (default os.availableParallelism()). Under a non-"/" root, proc/self/status wins. */
  affinityCpus?: number;
}

/** Detects the resources this process really has (cgroup limits, usage, host fallback, PSI, OOM counters). */
export function detectResources({
  root = "/",
  affinityCpus = availableParallelism(),
}: DetectResourcesOptions = {}): Resources {
  return detect({ read: rootedReader(root), affinityCpus, affinityFromStatus: root !== "/" });
}

/** A detection reader for another process: `/proc/self/...` reads `/proc/<pid>/...`. */
export function pidReader(pid: number, base: Reader = rootedReader("/")): Reader {
  return (path) =>
    base(path.startsWith("/proc/self/") ? `/proc/${pid}/${path.slice("/proc/self/".length)}` : path);
}

/**
 * Detection of the group another process is in, followed as it moves (a master may move itself into
 * its group from its own config): its /proc/<pid>/cgroup, mountinfo and status are read at each call,
 * and the last ones read while it lived are kept, so the group's files can still be read after the
 * process is gone (the OOM counter is read again when a killed master's exit is reported). A dead
 * process, a zombie until it is reaped, reads as the root group ("4:memory:/"), so fresh reads count
 * only when the status read after them still shows the process alive.
 */
export function groupDetector(pid: number, base: Reader = rootedReader("/")): () => Resources {
  const kept = new Map<string, ReadResult>();
  const read: Reader = (path) => kept.get(path) ?? pidReader(pid, base)(path);
  return () => {
    const fresh = PID_FILES.map((name) => [`/proc/self/${name}`, base(`/proc/${pid}/${name}`)] as const);
    const status = fresh[fresh.length - 1]![1];
    const state = status.ok ? parseProcStatus(status.text).state : null;
    const alive = state !== null && !hasEnded(state);
    for (const [path, result] of fresh) if ((alive && result.ok) || !kept.has(path)) kept.set(path, result);
    return detect({ read, affinityCpus: availableParallelism(), affinityFromStatus: true });
  };
}

/** Read in this order: status last, so a live status vouches for the reads before it. */
const PID_FILES = ["cgroup", "mountinfo", "status"] as const;

/** This process's anonymous memory (RssAnon), or null when /proc/self/status cannot say. */
export function selfAnonBytes(): number | null {
  const status = rootedReader("/")("/proc/self/status");
  return status.ok ? parseProcStatus(status.text).rssAnonBytes : null;
}
