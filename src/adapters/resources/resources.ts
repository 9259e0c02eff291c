/**
 * The one-call resource detection others use (plan, doctor, profile, run, the sampler): reads the real
 * /proc and /sys (or a copy under `root`). Cheap enough to call every second: a few dozen small reads.
 */
import { availableParallelism } from "node:os";
import type { Resources } from "../../core/resources/types.js";
import { detect } from "../../core/resources/detect.js";
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

/** Detects the resources of another process's cgroup (the gunicorn master's, when gwarden runs outside it). */
export function detectForPid(pid: number): Resources {
  return detect({ read: pidReader(pid), affinityCpus: availableParallelism(), affinityFromStatus: true });
}

/**
 * Detection of the group another process is in, followed as it moves (a master may move itself into
 * its group from its own config): its /proc/<pid>/cgroup, mountinfo and status are read at each call,
 * and the last ones read are kept, so the group's files can still be read after the process is gone
 * (the OOM counter is read again when a killed master's exit is reported).
 */
export function groupDetector(pid: number): () => Resources {
  const base = rootedReader("/");
  const kept = new Map<string, ReadResult>();
  const read: Reader = (path) => kept.get(path) ?? pidReader(pid, base)(path);
  return () => {
    for (const name of ["cgroup", "mountinfo", "status"]) {
      const fresh = base(`/proc/${pid}/${name}`);
      if (fresh.ok || !kept.has(`/proc/self/${name}`)) kept.set(`/proc/self/${name}`, fresh);
    }
    return detect({ read, affinityCpus: availableParallelism(), affinityFromStatus: true });
  };
}

/** This process's anonymous memory (RssAnon), or null when /proc/self/status cannot say. */
export function selfAnonBytes(): number | null {
  const status = rootedReader("/")("/proc/self/status");
  return status.ok ? parseProcStatus(status.text).rssAnonBytes : null;
}
