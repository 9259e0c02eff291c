/**
 * OOM confirmation: a worker that died by SIGKILL (or vanished from /proc without a word) while the
 * cgroup's OOM-kill counter rose was killed by the kernel's OOM killer. The confirmed event carries
 * what an operator needs to act: the victim's last memory, the group's usage against its limit, the
 * other workers, and a recommendation.
 */
import type { EventOf, GunicornEvent } from "../events/types.js";
import type { CgroupFigures, MemoryFigures } from "../sample/figures.js";

export interface OomInput {
  /** The death as classified (worker_signal, or a /proc-synthesized one). */
  death: GunicornEvent;
  /** The cgroup's oom_kill counter before the death (last sample), null when unknown. */
  oomBefore: number | null;
  /** The counter read after the death. */
  oomAfter: number | null;
  /** The victim's last sampled memory, when it was sampled. */
  victim: MemoryFigures | null;
  /** The group at the last sample. */
  cgroup: CgroupFigures | null;
  /** The other live workers' last memory. */
  others: { pid: number; memory: MemoryFigures }[];
  /** Workers planned, and per-worker budget in bytes (plan.recycleBytes), when a plan exists. */
  plannedWorkers?: number;
  recycleBytes?: number;
}

const MiB = 1048576;

function mib(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? "?" : `${Math.round(bytes / MiB)} MiB`;
}

/**
 * True when the death may be an OOM kill at all: SIGKILL, or a silent /proc disappearance, not a timeout
 * or shutdown. A SIGKILL while retiring counts: gunicorn retires with TERM, so a kill of a worker that
 * was finishing its last request (a hog being recycled) is the kernel's when the counter rose.
 */
export function mayBeOom(death: GunicornEvent): boolean {
  if (death.kind !== "worker_signal") return false;
  if (death.cause === "timeout-escalation" || death.cause === "shutdown") return false;
  if (death.cause === "scale-down" && death.signal !== "SIGKILL") return false;
  return death.signal === "SIGKILL" || death.signal === "unknown";
}

/** The `oom-confirmed` event for a death the counter explains, or null when it does not. */
export function confirmOom(input: OomInput): EventOf<"worker_signal"> | null {
  const { death } = input;
  if (!mayBeOom(death) || death.kind !== "worker_signal") return null;
  if (input.oomBefore === null || input.oomAfter === null || input.oomAfter <= input.oomBefore) return null;
  const victim = input.victim;
  const cg = input.cgroup;
  const usage = cg?.usageBytes ?? null;
  const limit = cg?.limitBytes ?? null;
  const others = input.others.map((w) => `${w.pid}: ${mib(w.memory.uss ?? w.memory.rss)}`).join(", ");
  const parts = [
    `worker ${death.pid ?? "?"} was killed by the kernel's OOM killer (cgroup oom_kill ${input.oomBefore} → ${input.oomAfter})`,
    `its last memory: rss ${mib(victim?.rss)}, uss ${mib(victim?.uss)}`,
    `cgroup usage ${mib(usage)} of limit ${mib(limit)}`,
    `other workers: ${others === "" ? "none" : others}`,
    `recommendation: ${recommend(input)}`,
  ];
  return {
    kind: "worker_signal",
    signal: "SIGKILL",
    cause: "oom-confirmed",
    source: "cgroup",
    ...(death.pid === undefined ? {} : { pid: death.pid }),
    ...(death.time === undefined ? {} : { time: death.time }),
    detail: parts.join("; "),
  };
}

/** What to do about it: a single outsized worker points at a request, a full group at too many workers. */
export function recommend(input: OomInput): string {
  const victimBytes = input.victim?.uss ?? input.victim?.rss ?? null;
  const otherBytes = input.others.map((w) => w.memory.uss ?? w.memory.rss ?? 0);
  const typical =
    otherBytes.length > 0 ? otherBytes.sort((a, b) => a - b)[Math.floor(otherBytes.length / 2)]! : null;
  if (victimBytes !== null && typical !== null && typical > 0 && victimBytes > 2 * typical) {
    return `the victim used ${mib(victimBytes)} against ${mib(typical)} for a typical worker: one request grew it; find it (access log around the kill) and bound it, or let gwarden recycle workers above ${mib(input.recycleBytes)}`;
  }
  if (input.recycleBytes !== undefined && victimBytes !== null && victimBytes > input.recycleBytes) {
    return `the victim was above the planned ${mib(input.recycleBytes)} per worker: the app grows over time; lower max_requests or profile again`;
  }
  return `the group is full with ${input.others.length + 1} workers: run fewer workers (\`gwarden plan\` with a fresh profile), or raise the memory limit`;
}
