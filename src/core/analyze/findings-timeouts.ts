/** Findings about `WORKER TIMEOUT`: boot-timeout loops, storms, idle connections, plain slow requests. */
import type { GunicornEvent } from "../events/types.js";
import { evidence, majorOf, type Finding, type FindingInput } from "./finding.js";
import { msOf } from "../events/time.js";

interface Timeout {
  index: number;
  pid: number;
  at?: number;
  /** Seconds from the worker's boot to its timeout. */
  delay?: number;
}

function timeouts(events: readonly GunicornEvent[]): {
  list: Timeout[];
  served: Set<number>;
  alive: number[];
} {
  const boots = new Map<number, number | undefined>();
  const served = new Set<number>();
  const live = new Set<number>();
  const list: Timeout[] = [];
  const alive: number[] = [];
  events.forEach((e, index) => {
    if (e.pid === undefined) return;
    if (e.kind === "start") live.clear();
    if (e.kind === "worker_boot") {
      boots.set(e.pid, msOf(e.time));
      live.add(e.pid);
    }
    if (e.kind === "request_error" || e.kind === "worker_ready") served.add(e.pid);
    if (e.kind === "worker_exit" || e.kind === "worker_exit_code" || e.kind === "worker_signal")
      live.delete(e.pid);
    if (e.kind === "worker_timeout") {
      const at = msOf(e.time);
      const booted = boots.get(e.pid);
      const delay = at !== undefined && booted !== undefined ? (at - booted) / 1000 : undefined;
      list.push({
        index,
        pid: e.pid,
        ...(at === undefined ? {} : { at }),
        ...(delay === undefined ? {} : { delay }),
      });
      alive.push(Math.max(live.size, 1));
    }
  });
  return { list, served, alive };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Timeout findings; returns the indexes they explain so later rules do not repeat them. */
export function timeoutFindings(input: FindingInput): { findings: Finding[]; explained: Set<number> } {
  const { events } = input;
  const { list, served, alive } = timeouts(events);
  const findings: Finding[] = [];
  const explained = new Set<number>();
  const major = majorOf(input.version);

  const inBoot = list.filter((t) => t.delay !== undefined && !served.has(t.pid));
  if (inBoot.length >= 3) {
    const m = median(inBoot.map((t) => t.delay!));
    const loop = inBoot.filter((t) => Math.abs(t.delay! - m) <= 1.5);
    if (loop.length >= 3 && loop.length >= 0.6 * inBoot.length) {
      loop.forEach((t) => explained.add(t.index));
      const newer = major !== undefined && major >= 22;
      findings.push({
        code: "boot-timeout-loop",
        severity: "critical",
        message:
          `${loop.length} workers timed out about ${m.toFixed(0)} s after booting, each replacement again: the app's import ` +
          `takes longer than \`timeout\` (gunicorn ≤21 applies it to the boot), or the heartbeat stalls` +
          (newer
            ? " (on 22+ a booting worker cannot time out, so the heartbeat or the worker loop is stuck)"
            : "") +
          ". The workers never serve.",
        evidence: evidence(
          events,
          loop.map((t) => t.index),
        ),
        fix:
          "Use `--preload` (the import runs once in the master, outside `timeout`), or raise `--timeout` above the measured " +
          "import time (`gwarden profile`), or let `gwarden run` enforce a boot deadline; put the heartbeat on tmpfs with " +
          "`--worker-tmp-dir /dev/shm`.",
      });
    }
  }

  const aliveAt = new Map(list.map((t, i) => [t.index, alive[i] ?? 1]));
  const timed = list.filter((t) => t.at !== undefined && !explained.has(t.index));
  const storms: Timeout[][] = [];
  for (let i = 0; i < timed.length;) {
    let j = i + 1;
    while (j < timed.length && timed[j]!.at! - timed[i]!.at! <= 2000) j++;
    const group = timed.slice(i, j);
    const pids = new Set(group.map((t) => t.pid));
    const liveThen = aliveAt.get(group[0]!.index) ?? 1;
    if (pids.size >= 2 && pids.size >= 0.75 * liveThen) storms.push(group);
    i = j;
  }
  if (storms.length > 0) {
    const all = storms.flat();
    all.forEach((t) => explained.add(t.index));
    findings.push({
      code: "timeout-storm",
      severity: "critical",
      message: `${storms.length} time(s) several workers (up to ${Math.max(...storms.map((g) => g.length))}) timed out within 2 s of each other: a shared dependency (database, DNS, an upstream API, the disk holding the heartbeat) stalled, or the box swapped.`,
      evidence: evidence(
        events,
        all.map((t) => t.index),
      ),
      fix: "Find the shared dependency that hangs (set client timeouts below gunicorn's `timeout`); put the heartbeat on tmpfs (`--worker-tmp-dir /dev/shm`); check memory pressure and swap.",
    });
  }

  const idle = events.flatMap((e, i) =>
    e.kind === "request_error" && e.message === "no URI read" ? [i] : [],
  );
  if (idle.length > 0) {
    findings.push({
      code: "idle-connection-timeouts",
      severity: "warning",
      message: `${idle.length} request error(s) with "no URI read": sync workers were held by clients that connected and sent nothing (pre-connects, health checks, slow clients) until \`timeout\` killed them.`,
      evidence: evidence(events, idle),
      fix: "Put a buffering reverse proxy (nginx) in front of sync workers, or use `-k gthread` (threads) so idle connections do not block the worker.",
    });
    list.forEach((t) => explained.add(t.index));
  }

  const rest = list.filter((t) => !explained.has(t.index));
  if (rest.length > 0) {
    findings.push({
      code: "worker-timeout",
      severity: "warning",
      message: `${rest.length} worker timeout(s): a request (or the worker's loop) ran longer than \`timeout\`; sync workers count the whole request, including reading it from a slow client.`,
      evidence: evidence(
        events,
        rest.map((t) => t.index),
      ),
      fix: "Find the slow endpoint (access log with `%(M)s`), move long work to a background job, or use `-k gthread` where requests may legitimately exceed `timeout`; raise `--timeout` only with a reason.",
    });
  }
  return { findings, explained };
}
