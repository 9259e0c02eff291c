/** Findings about the master and the app: load and boot errors, bind errors, crashes, HUP, recycling, logging. */
import type { GunicornEvent } from "../events/types.js";
import { evidence, type Finding, type FindingInput } from "./finding.js";

function where(events: readonly GunicornEvent[], kind: GunicornEvent["kind"]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (e.kind === kind) out.push(i);
  });
  return out;
}

function messages(events: readonly GunicornEvent[], indexes: number[]): string[] {
  const set = new Set<string>();
  for (const i of indexes) {
    const e = events[i];
    if (e && "message" in e && typeof e.message === "string" && e.message) set.add(e.message);
  }
  return [...set];
}

/** Master and app findings. */
export function masterFindings(input: FindingInput): Finding[] {
  const { events } = input;
  const findings: Finding[] = [];

  const load = where(events, "app_load_error");
  if (load.length > 0) {
    findings.push({
      code: "app-load-error",
      severity: "critical",
      message: `The app failed to load: ${messages(events, load).join("; ")}. Gunicorn halts with exit 4 ("App failed to load.").`,
      evidence: evidence(events, load),
      fix: "Fix the WSGI target (`module:attribute`, it must name a callable); reproduce with `gunicorn --check-config <app>`.",
    });
  }

  const boot = where(events, "worker_boot_error");
  if (boot.length > 0) {
    const text = messages(events, boot);
    const halted = events.some(
      (e) => (e.kind === "halt" && e.exitCode === 3) || (e.kind === "worker_exit_code" && e.code === 3),
    );
    const crashed = events.some((e) => e.kind === "worker_exit_code" && e.code === 255);
    findings.push({
      code: "worker-boot-error",
      severity: "critical",
      message:
        `${boot.length} "Exception in worker process"${text.length ? `: ${text.join("; ")}` : ""}. ` +
        (crashed && !halted
          ? "The worker had booted, so it exited with 255 and was replaced."
          : 'Before boot completes this halts gunicorn with exit 3 ("Worker failed to boot.").'),
      evidence: evidence(events, boot),
      fix: "Fix the import error shown in the traceback (missing module or setting); reproduce with `python -c 'import <module>'` in the same environment.",
    });
  }

  const bind = where(events, "bind_error");
  if (bind.length > 0) {
    const addresses = new Set(
      bind.map((i) => events[i]).flatMap((e) => (e?.kind === "bind_error" && e.address ? [e.address] : [])),
    );
    findings.push({
      code: "bind-error",
      severity: "critical",
      message: `Gunicorn could not bind ${[...addresses].join(", ") || "its address"}: another process holds the port (or the address is invalid); it retried and exited with code 1.`,
      evidence: evidence(events, bind),
      fix: "Stop the other process (`ss -ltnp`), or bind another port with `-b`; in containers, make sure an old instance is gone before the new one starts.",
    });
  }

  const crash = where(events, "master_crash");
  if (crash.length > 0) {
    const text = messages(events, crash);
    const halt = text.some((t) => t.includes("HaltServer"));
    findings.push({
      code: "master-crash",
      severity: "critical",
      message:
        `The master crashed: ${text.join("; ")}.` +
        (halt
          ? " A second worker exited while the master was halting (HaltServer race), so it exited with code 1 instead of 3/4."
          : ""),
      evidence: evidence(events, crash),
      fix: halt
        ? "Fix the underlying boot/load error; do not rely on the master's exit code, scan its stderr for HaltServer."
        : "Read the traceback; a missing `--worker-tmp-dir` or an exception in a server hook are the usual causes.",
    });
  }

  for (const hup of input.hups) {
    if (hup.before >= 1 && hup.peak > hup.before) {
      findings.push({
        code: "hup-doubling",
        severity: "info",
        message: `HUP forks a full new generation before the old one exits (2× workers for a moment; the log shows ${hup.peak} at once instead of ${hup.before}). HUP also resets the worker count to the configured \`workers\`.`,
        evidence: evidence(events, [hup.index]),
        fix: "Budget memory for 2× workers during reloads (or reload with TTOU/TTIN one worker at a time); with `--preload`, HUP does not reload code.",
      });
      break;
    }
  }

  const recycle = where(events, "max_requests_restart");
  if (recycle.length > 0) {
    findings.push({
      code: "max-requests-recycling",
      severity: recycle.length >= 20 ? "warning" : "info",
      message: `${recycle.length} worker restart(s) by \`max_requests\`: each replacement re-imports the app unless preloaded (and on ≤21 that import runs under \`timeout\`).`,
      evidence: evidence(events, recycle),
      fix: "Keep `--max-requests` high enough that restarts are rare, add `--max-requests-jitter` so workers do not restart together, and use `--preload` to make restarts cheap.",
    });
  }

  const logging = where(events, "logging_error");
  if (logging.length > 0) {
    findings.push({
      code: "logging-error",
      severity: "warning",
      message: `${logging.length} "--- Logging error ---" block(s): gunicorn 20.1–23 logs from inside the SIGCHLD handler, which can fail with "reentrant call" and lose or garble lifecycle lines (and, on 20.1, crash the master).`,
      evidence: evidence(events, logging),
      fix: "Upgrade to gunicorn 24+ (signals are queued and handled in the main loop); meanwhile treat missing exit lines as possible.",
    });
  }
  return findings;
}
