/** Findings about how workers died: OOM kills and loops, timeout escalations, silent deaths, shutdown kills. */
import type { GunicornEvent } from "../events/types.js";
import { evidence, type Finding, type FindingInput } from "./finding.js";
import { msOf } from "../events/time.js";

const BOOT_DEATH_SECONDS = 10;

function indexesWhere(events: readonly GunicornEvent[], test: (e: GunicornEvent) => boolean): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (test(e)) out.push(i);
  });
  return out;
}

/** Death findings. */
export function deathFindings(input: FindingInput): Finding[] {
  const { events } = input;
  const findings: Finding[] = [];
  const boots = new Map<number, number | undefined>();
  const oomInBoot: number[] = [];
  const seenOom = new Set<number>();
  const oom: number[] = [];
  let stopping = false;
  let duringStop = 0;
  events.forEach((e, i) => {
    if (e.kind === "start") stopping = false;
    if (e.kind === "master_signal" && ["term", "int", "quit"].includes(e.signal)) stopping = true;
    if (e.kind === "worker_boot" && e.pid !== undefined) boots.set(e.pid, msOf(e.time));
    if (e.kind !== "worker_signal" || (e.cause !== "oom-suspected" && e.cause !== "oom-confirmed")) return;
    if (e.pid !== undefined && seenOom.has(e.pid)) return;
    if (e.pid !== undefined) seenOom.add(e.pid);
    oom.push(i);
    if (stopping) duringStop++;
    const booted = e.pid === undefined ? undefined : boots.get(e.pid);
    const at = msOf(e.time);
    if (booted !== undefined && at !== undefined && (at - booted) / 1000 <= BOOT_DEATH_SECONDS)
      oomInBoot.push(i);
  });
  const confirmed = oom.some((i) => {
    const e = events[i];
    return e?.kind === "worker_signal" && e.cause === "oom-confirmed";
  });
  if (oomInBoot.length >= 3) {
    findings.push({
      code: "oom-kill-loop",
      severity: "critical",
      message: `${oomInBoot.length} workers were SIGKILLed within ${BOOT_DEATH_SECONDS} s of booting, and each replacement again: the app does not fit in memory while it boots (${confirmed ? "the kernel confirmed OOM kills" : "no timeout or shutdown explains the SIGKILLs, so this is the OOM killer"}).`,
      evidence: evidence(events, oomInBoot),
      fix: "Run fewer workers (`-w`), use `--preload` (+ `gc.freeze()`) to share the imported app, raise the memory limit, or let `gwarden plan` size workers from the measured per-worker memory.",
    });
  } else if (oom.length > 0) {
    findings.push({
      code: confirmed ? "oom-confirmed" : "oom-suspected",
      severity: confirmed ? "critical" : "warning",
      message: `${oom.length} worker(s) were SIGKILLed with no WORKER TIMEOUT before${duringStop > 0 ? ` (${duringStop} while the service stopped, not as gunicorn's or a supervisor's stop kill)` : " and no shutdown in progress"}: ${confirmed ? "the kernel's OOM killer" : "most likely the OOM killer (or an external kill -9)"}.`,
      evidence: evidence(events, oom),
      fix: `Check \`dmesg\` / cgroup \`memory.events\` (oom_kill) to confirm; lower workers or memory per worker (\`--max-requests\` with jitter recycles leaky workers), or raise the limit; \`gwarden run\` watches the cgroup OOM counter.${duringStop > 0 ? " Exit paths need memory too (a preloaded worker touches shared pages as it exits): leave headroom for the stop." : ""}`,
    });
  }

  const escalations = indexesWhere(
    events,
    (e) => e.kind === "worker_signal" && e.cause === "timeout-escalation",
  );
  if (escalations.length > 0) {
    findings.push({
      code: "timeout-escalation",
      severity: "warning",
      message: `${escalations.length} timed-out worker(s) did not exit on SIGABRT and were SIGKILLed by gunicorn; "Perhaps out of memory?" on those lines is misleading: the worker was stuck in native code, blocked I/O or a blocked signal.`,
      evidence: evidence(events, escalations),
      fix: "Find where the worker hangs (a `worker_abort` hook with faulthandler dumps the stack); set timeouts on database and HTTP clients; put the heartbeat on tmpfs (`--worker-tmp-dir /dev/shm`).",
    });
  }

  if (input.hardDeaths.length > 0) {
    const idx = input.hardDeaths.map((h) => h.index);
    const afterTimeout = input.hardDeaths.filter((h) => h.death.pid !== undefined).length;
    findings.push({
      code: "silent-worker-death",
      severity: "warning",
      message:
        `${input.hardDeaths.length} worker(s) were replaced without any exit line` +
        (afterTimeout > 0
          ? ` (${afterTimeout} right after a WORKER TIMEOUT: a silent SIGKILL escalation)`
          : "") +
        ": gunicorn ≤20.0 logs nothing for SIGKILL, OOM or segfault deaths.",
      evidence: evidence(events, idx),
      fix: "Check `dmesg` for OOM kills; upgrade gunicorn (20.1+ logs signal deaths), or run under `gwarden run`, which watches the master's children and the cgroup OOM counter.",
    });
  }

  const shutdownKills = indexesWhere(
    events,
    (e) => e.kind === "worker_signal" && e.cause === "shutdown" && e.signal === "SIGKILL",
  );
  if (shutdownKills.length > 0) {
    findings.push({
      code: "shutdown-kill",
      severity: "info",
      message: `${shutdownKills.length} worker(s) were SIGKILLed by the stop itself (not OOM): gunicorn's kill at \`graceful_timeout\`, or a supervisor's stop timeout killing every worker at once; their in-flight requests were lost, or they were stuck (on 22+ a hung import is never timed out).`,
      evidence: evidence(events, shutdownKills),
      fix: "Keep `--graceful-timeout` a few seconds below the platform's stop timeout (docker 10 s, Kubernetes 30 s) and above your slowest request; check that workers finish booting.",
    });
  }

  const artifacts = indexesWhere(events, (e) => e.kind === "worker_signal" && e.cause === "scale-down");
  if (artifacts.length > 0) {
    findings.push({
      code: "sigterm-artifact",
      severity: "info",
      message: `${artifacts.length} SIGTERM death line(s) during TTOU/HUP retirement are a known artifact (a second SIGTERM while the worker exits), not a crash.`,
      evidence: evidence(events, artifacts),
      fix: "Nothing to fix; under systemd use `KillMode=mixed` so only the master gets SIGTERM.",
    });
  }

  const crashes = indexesWhere(
    events,
    (e) =>
      e.kind === "worker_signal" &&
      e.cause === "unknown" &&
      !["SIGTERM", "SIGQUIT", "SIGINT", "SIGHUP"].includes(e.signal),
  );
  if (crashes.length > 0) {
    findings.push({
      code: "worker-crash",
      severity: "warning",
      message: `${crashes.length} worker(s) died from a signal such as SIGSEGV or SIGABRT: a native crash (a C extension, or a worker class that aborts).`,
      evidence: evidence(events, crashes),
      fix: "Look for a core dump or a faulthandler trace; check C extensions (and fork safety with `--preload`).",
    });
  }
  return findings;
}
