/**
 * The lab's sandbox when the whole machine is the tier (inside the VM guest: `lab --sandbox box`): a
 * fresh cgroup v2 group with NO limit, only to hold one instance's processes, count its OOM kills (the
 * kernel counts a global OOM kill in the victim's group) and kill them afterwards. The limit is the
 * box itself, so memory is the box's: MemTotal − MemAvailable, the figure `free` calls used, with the
 * kernel and page cache in it; swap in use is tracked beside it. The harness's own processes (the lab,
 * wrk) are protected from the OOM killer by the guest's job; wrap() gives the app the default score back.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { GwardenError } from "../../core/error.js";
import { parseMemInfo } from "../../core/cgroup/meminfo.js";
import { forgetOnExit, killAndRemove, removeOnExit } from "./cgroup-cleanup.js";
import { counter, pidsIn } from "./cgroup-files.js";
import type { Sandbox, SandboxOptions } from "./cgroup-sandbox.js";

const ROOT = "/sys/fs/cgroup";

/** The box's memory in use and swap in use, from /proc/meminfo (null when unreadable). */
export function boxMemory(): { usedBytes: number; swapUsedBytes: number } | null {
  try {
    const m = parseMemInfo(readFileSync("/proc/meminfo", "utf8"));
    if (m.totalBytes === null || m.availableBytes === null) return null;
    const swapUsed =
      m.swapTotalBytes !== null && m.swapFreeBytes !== null ? m.swapTotalBytes - m.swapFreeBytes : 0;
    return { usedBytes: m.totalBytes - m.availableBytes, swapUsedBytes: swapUsed };
  } catch {
    return null;
  }
}

/** Largest swap use seen by any box sandbox's usage reads in this process. */
let peakSwap = 0;
export function peakSwapBytes(): number {
  return peakSwap;
}

/** Wraps argv: enter the group, take the default OOM score back, exec. */
const ENTER = 'echo $$ > "$1" || exit 125; echo 0 > /proc/self/oom_score_adj; shift; exec "$@"';

/** A limitless v2 group for one instance on the whole box (the options' limits are ignored: the box is the limit). */
export async function createBoxSandbox(options: SandboxOptions): Promise<Sandbox> {
  const label = (options.name ?? "box").replace(/[^A-Za-z0-9-]/g, "-").slice(0, 40);
  const name = `gwarden-${label}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const dir = `${ROOT}/${name}`;
  // On a v1 or hybrid host /sys/fs/cgroup is a tmpfs: a mkdir there would "work" and hold nothing.
  if (!existsSync(`${ROOT}/cgroup.controllers`)) {
    throw new GwardenError("E_CGROUP", "--sandbox box needs cgroup v2 mounted at /sys/fs/cgroup", {
      hint: "it is what --sandbox vm runs inside each guest; use --sandbox vm (or cgroup) here",
    });
  }
  try {
    mkdirSync(dir);
  } catch (error) {
    throw new GwardenError("E_CGROUP", `Could not create the cgroup ${dir}`, {
      cause: error,
      hint: "--sandbox box runs inside the lab's VM guest (cgroup v2 at /sys/fs/cgroup, root)",
    });
  }
  removeOnExit([dir]);
  let removing: Promise<void> | null = null;
  return {
    name,
    version: "v2",
    memoryDir: dir,
    cpuDir: null,
    wrap: (argv) => ["/bin/sh", "-c", ENTER, "gwarden-box", `${dir}/cgroup.procs`, ...argv],
    oomKills: () => counter(`${dir}/memory.events`, "oom_kill"),
    peakBytes: () => null,
    usageBytes: () => {
      const m = boxMemory();
      if (m === null) return null;
      peakSwap = Math.max(peakSwap, m.swapUsedBytes);
      return m.usedBytes;
    },
    pids: () => pidsIn(dir),
    remove: () => {
      removing ??= killAndRemove([dir]).then(() => forgetOnExit([dir]));
      return removing;
    },
  };
}
