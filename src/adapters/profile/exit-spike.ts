/**
 * The copy-on-write spike of a preloaded worker's exit, measured: one worker of a preloaded gunicorn is
 * retired (TERM, as max_requests or gwarden's recycling retire it) and the memory of the whole group is
 * watched until its replacement is ready. While it exits, Python tears the app's objects down and writes
 * to pages it shared with the master, which become private copies: that is the spike, and a plan with
 * preload must leave room for it. With a real memory cgroup (root) the group's own high-water mark is
 * read; otherwise the PSS of the master and its workers is summed every few milliseconds (PSS sums
 * shared pages once, so the sum grows by exactly the pages copied).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { HookRecord } from "../../core/events/hook-record.js";
import { parseChildren } from "../../core/proc/children.js";
import { parseSmapsRollup } from "../../core/proc/smaps-rollup.js";
import type { ExitSpike } from "../../core/profile/types.js";
import type { Sandbox } from "../sandbox/cgroup-sandbox.js";

/** The memory of the group gunicorn runs in, as one number, and its high-water mark. */
export interface GroupMemory {
  method: ExitSpike["method"];
  /** Starts a new high-water mark from now. */
  resetPeak(): void;
  read(): number | null;
  /** The kernel's own high-water mark since resetPeak, or null when it keeps none. */
  peak(): number | null;
}

/** The sandbox's usage and (v1) its resettable max_usage_in_bytes. */
export function cgroupMemory(sandbox: Sandbox): GroupMemory {
  const maxUsage = `${sandbox.memoryDir}/memory.max_usage_in_bytes`;
  let resettable = sandbox.version === "v1";
  return {
    method: "cgroup",
    resetPeak: () => {
      if (!resettable) return;
      try {
        writeFileSync(maxUsage, "0");
      } catch {
        resettable = false;
      }
    },
    read: () => sandbox.usageBytes(),
    peak: () => (resettable ? sandbox.peakBytes() : null),
  };
}

function pss(root: string, pid: number): number {
  try {
    return parseSmapsRollup(readFileSync(`${root}/proc/${pid}/smaps_rollup`, "utf8"))?.pss ?? 0;
  } catch {
    return 0;
  }
}

/** The PSS sum of the master and its children (every call lists the children afresh). */
export function pssMemory(master: number, root = ""): GroupMemory {
  return {
    method: "pss",
    resetPeak: () => undefined,
    read: () => {
      let children: number[] = [];
      try {
        children = parseChildren(readFileSync(`${root}/proc/${master}/task/${master}/children`, "utf8"));
      } catch {
        return null;
      }
      return [master, ...children].reduce((sum, pid) => sum + pss(root, pid), 0);
    },
    peak: () => null,
  };
}

export interface ExitSpikeRun {
  /** The worker to retire. */
  victim: number;
  memory: GroupMemory;
  /** gunicorn's hook records so far (the replacement's post_worker_init shows up here). */
  records: () => readonly HookRecord[];
  alive: (pid: number) => boolean;
  kill: (pid: number, signal: NodeJS.Signals) => void;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const readyCount = (records: readonly HookRecord[]) =>
  records.filter((r) => r.hook === "post_worker_init").length;

/** Retires `victim` and returns the spike above the memory just before; null when nothing could be read. */
export async function measureExitSpike(run: ExitSpikeRun): Promise<ExitSpike | null> {
  const { memory } = run;
  await sleep(200);
  const before = memory.read();
  if (before === null) return null;
  const readyBefore = readyCount(run.records());
  memory.resetPeak();
  const started = performance.now();
  let sampled = before;
  run.kill(run.victim, "SIGTERM");
  const deadline = started + (run.timeoutMs ?? 15_000);
  let replaced = false;
  while (performance.now() < deadline) {
    const now = memory.read();
    if (now !== null) sampled = Math.max(sampled, now);
    replaced = !run.alive(run.victim) && readyCount(run.records()) > readyBefore;
    if (replaced) break;
    await sleep(memory.method === "pss" ? 5 : 2);
  }
  // A last look: the kernel's mark catches what the samples missed between two reads.
  const peakBytes = Math.max(sampled, memory.peak() ?? 0);
  return {
    bytes: Math.max(0, peakBytes - before),
    method: memory.method,
    beforeBytes: before,
    peakBytes,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
