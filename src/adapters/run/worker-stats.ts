/**
 * The directory of the workers' shared-memory counters (src/core/sample/worker-stats.ts): made on a
 * tmpfs so the workers' mmap'd pages never go to disk, named to gunicorn in GWARDEN_STATS_DIR, read
 * at gwarden's tick (one open + one 128-byte read per worker file), pruned of dead workers' files,
 * and removed with everything in it at the end. A gwarden that could not clean up (SIGKILL, an OOM
 * kill) leaves its directory behind: each directory names its owner (pid and pid namespace, in
 * `owner`), and the next gwarden on the same tmpfs removes those whose owner is gone.
 *
 *   const stats = openWorkerStatsDir();          // env: stats.env
 *   stats.read([4242, 4243]);                    // Map pid → WorkerStats (absent: no file yet / torn)
 *   stats.prune((pid) => alive.has(pid));        // workers that died without their exit hooks
 *   stats.close();
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseWorkerStats, WORKER_STATS_SIZE, type WorkerStats } from "../../core/sample/worker-stats.js";

/** The environment variable the rendered config reads. */
export const STATS_DIR_ENV = "GWARDEN_STATS_DIR";
const TMPFS_MAGIC = 0x01021994;
/** A copy taken while the worker was writing is read again, this many times at most. */
const READ_ATTEMPTS = 3;

export interface WorkerStatsDir {
  readonly path: string;
  /** Whether the directory is on a tmpfs (false: the fallback, a disk-backed temporary directory). */
  readonly tmpfs: boolean;
  /** Environment additions for gunicorn. */
  readonly env: Record<string, string>;
  /** The counters of the given workers (all files in the directory when omitted). */
  read(pids?: Iterable<number>): Map<number, WorkerStats>;
  /** Removes the files of workers `isLive` says are gone (default: no /proc/<pid>). */
  prune(isLive?: (pid: number) => boolean): void;
  /** Removes the directory and everything in it; idempotent. */
  close(): void;
}

export interface WorkerStatsDirOptions {
  /** Where to make the directory, first usable tmpfs wins (default /dev/shm, $XDG_RUNTIME_DIR, /run). */
  candidates?: readonly string[];
  /** Where /proc is, for prune's default liveness check (default "/proc"). */
  proc?: string;
}

function isTmpfs(path: string): boolean {
  try {
    return statfsSync(path).type === TMPFS_MAGIC;
  } catch {
    return false;
  }
}

const PREFIX = "gwarden-stats-";
const OWNER = "owner";

/** Whether `pid` has an entry under `proc` (this pid namespace's /proc). */
const alive = (proc: string, pid: number | string): boolean => existsSync(join(proc, String(pid)));

/** This process's pid namespace ("pid:[4026531836]"), or "" where /proc does not say. */
function pidNamespace(proc: string): string {
  try {
    return readlinkSync(join(proc, "self", "ns", "pid"));
  } catch {
    return "";
  }
}

/**
 * A new directory under `base`, where every worker may create its own file but none may list the others'
 * (mode 1733, like a mail spool): workers run as another user behind `setpriv`, `gosu` or `runuser`.
 */
function workersDir(base: string, owner: string): string {
  const path = mkdtempSync(join(base, PREFIX));
  writeFileSync(join(path, OWNER), owner);
  chmodSync(path, 0o1733);
  return path;
}

/**
 * Removes the directories under `base` left by a gwarden that is gone: its owner line names a pid of
 * this pid namespace with no /proc entry. Other namespaces' directories (a /dev/shm shared between
 * containers) and directories without an owner line are never touched.
 */
function sweepStale(base: string, proc: string, namespace: string): void {
  if (namespace === "") return;
  let names: string[];
  try {
    names = readdirSync(base).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(base, name);
    try {
      const [pid, ns] = readFileSync(join(dir, OWNER), "utf8").trim().split(" ");
      if (ns === namespace && /^\d+$/.test(pid ?? "") && !alive(proc, pid!))
        rmSync(dir, { recursive: true, force: true });
    } catch {
      // No owner line (not ours, or being made right now), or not ours to remove.
    }
  }
}

/** Makes the first writable tmpfs candidate's directory, else one in the OS temp directory. */
function makeDir(candidates: readonly string[], proc: string): { path: string; tmpfs: boolean } {
  const namespace = pidNamespace(proc);
  const owner = `${process.pid} ${namespace}\n`;
  /** Our directory under `base`, once the ones left there by a gone gwarden are removed. */
  const madeIn = (base: string): string => {
    const path = workersDir(base, owner);
    sweepStale(base, proc, namespace);
    return path;
  };
  for (const base of candidates) {
    if (!isTmpfs(base)) continue;
    try {
      return { path: madeIn(base), tmpfs: true };
    } catch {
      // Not writable (a read-only /run in a container): try the next one.
    }
  }
  const path = madeIn(tmpdir());
  return { path, tmpfs: isTmpfs(path) };
}

/** One consistent copy of a worker's file, or null (no file yet, or torn on every attempt). */
function readOne(file: string): WorkerStats | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.alloc(WORKER_STATS_SIZE);
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const n = readSync(fd, buffer, 0, WORKER_STATS_SIZE, 0);
      const stats = n === WORKER_STATS_SIZE ? parseWorkerStats(buffer) : null;
      if (stats !== null) return stats;
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

const pidOf = (name: string): number | null => {
  const m = /^(\d+)\.stats$/.exec(name);
  return m ? Number(m[1]) : null;
};

/** Makes the directory (mode 0700, on a tmpfs when there is one). */
export function openWorkerStatsDir(options: WorkerStatsDirOptions = {}): WorkerStatsDir {
  const xdg = process.env.XDG_RUNTIME_DIR;
  const candidates = options.candidates ?? ["/dev/shm", ...(xdg ? [xdg] : []), "/run"];
  const proc = options.proc ?? "/proc";
  const { path, tmpfs } = makeDir(candidates, proc);
  let closed = false;
  const listed = (): number[] => {
    try {
      return readdirSync(path)
        .map(pidOf)
        .filter((pid): pid is number => pid !== null);
    } catch {
      return [];
    }
  };
  return {
    path,
    tmpfs,
    env: { [STATS_DIR_ENV]: path },
    read(pids) {
      const out = new Map<number, WorkerStats>();
      if (closed) return out;
      for (const pid of pids ?? listed()) {
        const stats = readOne(join(path, `${pid}.stats`));
        if (stats !== null && stats.pid === pid) out.set(pid, stats);
      }
      return out;
    },
    prune(isLive = (pid) => alive(proc, pid)) {
      for (const pid of closed ? [] : listed()) {
        if (isLive(pid)) continue;
        try {
          unlinkSync(join(path, `${pid}.stats`));
        } catch {
          // Already gone: the worker's or the master's exit hook removed it first.
        }
      }
    },
    close() {
      if (closed) return;
      closed = true;
      rmSync(path, { recursive: true, force: true });
    },
  };
}
