/**
 * Runs the lab's load in a child process and reads its result: bounded in time, loopback only, and
 * stoppable early for the background load of the lifecycle and OOM scenarios. Two drivers: wrk (the
 * default when installed: it handles gunicorn's sync workers closing every connection) and autocannon
 * in a child `node` process (src/adapters/load/load-child.ts), which miscounts against them.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRequests, type LoadShape } from "../../core/lab/scenarios.js";
import { GwardenError } from "../../core/error.js";
import { packageScript } from "../platform/self.js";
import { startWrk, wrkScript } from "./load-wrk.js";
import type { LabLoadResult, RunningLoad } from "./running-load.js";

export type { LabLoadResult, RunningLoad } from "./running-load.js";

export type LoadDriver = "wrk" | "autocannon";
let driver: LoadDriver = "autocannon";

/** The autocannon child: a script of the package; the single file carries neither it nor autocannon. */
const CHILD = packageScript("adapters/load/load-child.js");

/** Whether autocannon (an optional dependency: the lab's fallback load generator) is installed beside the child. */
function autocannonInstalled(child: string): boolean {
  try {
    createRequire(child).resolve("autocannon");
    return true;
  } catch {
    return false;
  }
}

/** Chooses the load generator for the rest of the run; E_USAGE for autocannon where it is not installed. */
export function setLoadDriver(next: LoadDriver): void {
  if (next === "autocannon" && CHILD === null) {
    throw new GwardenError(
      "E_USAGE",
      "The single-file gwarden has no autocannon (the lab's fallback load generator) and wrk is not installed",
      { hint: "install wrk (apt-get install wrk), or run the lab from the npm package" },
    );
  }
  if (next === "autocannon" && CHILD !== null && !autocannonInstalled(CHILD)) {
    throw new GwardenError(
      "E_USAGE",
      "autocannon (an optional dependency, the lab's fallback load generator) is not installed, and neither is wrk",
      { hint: "install wrk (apt-get install wrk), or autocannon (npm install autocannon beside gwarden)" },
    );
  }
  driver = next;
}

interface ChildResult {
  responses?: number;
  ok?: number;
  non2xx?: number;
  errors?: number;
  seconds?: number;
  p50Ms?: number;
  p99Ms?: number;
  statuses?: Record<string, number>;
  error?: string;
}

function toResult(child: ChildResult): LabLoadResult {
  const ok = child.ok ?? 0;
  const requests = (child.responses ?? 0) + (child.errors ?? 0);
  const seconds = child.seconds ?? 0;
  return {
    requests,
    ok,
    failed: requests - ok,
    seconds,
    rps: seconds > 0 ? Math.round((ok / seconds) * 10) / 10 : 0,
    p50Ms: ok > 0 ? (child.p50Ms ?? null) : null,
    p99Ms: ok > 0 ? (child.p99Ms ?? null) : null,
    statuses: child.statuses ?? {},
    ...(child.error === undefined ? {} : { error: child.error }),
  };
}

function startWithWrk(origin: string, shape: LoadShape): RunningLoad {
  const dir = mkdtempSync(join(tmpdir(), "gwarden-wrk-"));
  const script = join(dir, "paths.lua");
  writeFileSync(script, wrkScript(loadRequests(shape)));
  const running = startWrk(origin, shape, script);
  return {
    stop: running.stop,
    result: running.result.finally(() => rmSync(dir, { recursive: true, force: true })),
  };
}

/** Starts a load against `origin` (http://127.0.0.1:PORT); stops it by itself after its duration (+ a margin) at most. */
export function startLoad(origin: string, shape: LoadShape): RunningLoad {
  if (driver === "wrk") return startWithWrk(origin, shape);
  const child = spawn(
    process.execPath,
    [CHILD ?? "", JSON.stringify({ origin, ...shape, requests: loadRequests(shape) })],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr = (stderr + t).slice(-2000)));
  const stop = (): void => {
    if (child.exitCode === null && child.stdin.writable) child.stdin.write("stop\n");
  };
  const limitMs = ((shape.seconds ?? 60) + shape.timeoutSeconds + 5) * 1000;
  const deadline = setTimeout(stop, shape.seconds === undefined ? 60_000 : limitMs);
  const kill = setTimeout(() => child.kill("SIGKILL"), limitMs + 15_000);
  const result = new Promise<LabLoadResult>((resolve) => {
    child.on("close", () => {
      clearTimeout(deadline);
      clearTimeout(kill);
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(toResult(JSON.parse(line) as ChildResult));
      } catch {
        resolve(toResult({ error: `load generator failed: ${stderr.trim() || "no result"}` }));
      }
    });
  });
  child.stdin.on("error", () => undefined);
  return { stop, result };
}

/** Runs a load to its end. */
export function runLabLoad(origin: string, shape: LoadShape): Promise<LabLoadResult> {
  return startLoad(origin, shape).result;
}
