/**
 * Times real requests against the workers' CPU: keeps the workers busy (more requests outstanding than
 * workers, so a sync worker always finds the next connection waiting) for a short window and reads
 * their schedstat (CPU nanoseconds and run-queue wait) before and after. A busy worker's time is CPU,
 * run queue (the host is busy) or blocked — the app waiting on a database, a disk, a lock — and blocked
 * time is time another process can use the CPU. The client's own speed does not enter: it only has to
 * keep a request queued — wrk does that for a 1 ms request where Node's own client cannot (on a busy
 * host it leaves the worker waiting for the next request), so wrk is used when it is installed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWrk, wrkAvailable, wrkScript } from "../load/load-wrk.js";
import { schedOf } from "../resources/schedstat.js";
import { requestLabel, type RequestSpec } from "../../core/profile/request-spec.js";
import type { CpuTiming } from "../../core/profile/types.js";
import { probe } from "../http/http-probe.js";

export interface TimingOptions {
  host: string;
  port: number;
  /** Sent round-robin. */
  requests: readonly RequestSpec[];
  /** The workers whose CPU is counted (every thread of each); 4 × as many requests are kept outstanding, at least 16. */
  workerPids: readonly number[];
  /** Keep sending for this long... */
  seconds: number;
  /** ...but at least this many requests (slow requests) and at most `maxRequests`. */
  minRequests?: number;
  maxRequests?: number;
  timeoutMs?: number;
  /** Directory holding proc/ (default ""). */
  root?: string;
}

/** The load through wrk (a C client that keeps up with a fast worker, where Node's client cannot). */
async function sendWithWrk(
  options: TimingOptions,
  concurrency: number,
): Promise<{ ok: number; failed: number; seconds: number; wallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "gwarden-profile-wrk-"));
  try {
    const script = join(dir, "requests.lua");
    writeFileSync(script, wrkScript(options.requests));
    const shape = {
      paths: options.requests.map(requestLabel),
      connections: concurrency,
      seconds: options.seconds,
      timeoutSeconds: (options.timeoutMs ?? 15_000) / 1000,
    };
    const result = await startWrk(`http://${options.host}:${options.port}`, shape, script).result;
    return { ok: result.ok, failed: result.failed, seconds: result.seconds, wallMs: result.p50Ms ?? 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The load through Node's own client, when wrk is not installed. */
async function sendWithNode(
  options: TimingOptions,
  concurrency: number,
): Promise<{ ok: number; failed: number; seconds: number; wallMs: number }> {
  const minRequests = options.minRequests ?? 5;
  const maxRequests = options.maxRequests ?? 2000;
  const hardStopMs = Math.max(4 * options.seconds * 1000, 10_000);
  const started = performance.now();
  const walls: number[] = [];
  let sent = 0;
  let failed = 0;
  const more = (): boolean => {
    const elapsed = performance.now() - started;
    if (sent >= maxRequests || elapsed > hardStopMs) return false;
    return elapsed < options.seconds * 1000 || sent < minRequests;
  };
  const lane = async (): Promise<void> => {
    while (more()) {
      const spec = options.requests[sent++ % options.requests.length]!;
      const result = await probe(options.host, options.port, spec.path, {
        timeoutMs: options.timeoutMs ?? 15_000,
        request: spec,
      });
      if (result.ok) walls.push(result.ms);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const wallMs = walls.length === 0 ? 0 : walls.reduce((a, b) => a + b, 0) / walls.length;
  return { ok: walls.length, failed, seconds: (performance.now() - started) / 1000, wallMs };
}

let wrkHere: boolean | null = null;

/** Times `requests` with the workers kept busy; null when a request failed or none answered 2xx. */
export async function timeRequests(options: TimingOptions): Promise<CpuTiming | null> {
  const root = options.root ?? "";
  const concurrency = Math.max(16, 4 * options.workerPids.length);
  wrkHere ??= wrkAvailable();
  const before = schedOf(root, options.workerPids);
  const sent = wrkHere ? await sendWithWrk(options, concurrency) : await sendWithNode(options, concurrency);
  const after = schedOf(root, options.workerPids);
  const { seconds } = sent;
  const n = sent.ok;
  if (n === 0 || sent.failed > 0 || seconds <= 0) return null;
  const ms = (value: number) => Math.round(value * 1000) / 1000;
  const cpuMs = (after.cpuNs - before.cpuNs) / 1e6 / n;
  const runqueueMs = (after.runqueueNs - before.runqueueNs) / 1e6 / n;
  const workerMs = (options.workerPids.length * seconds * 1000) / n;
  return {
    request: options.requests.map(requestLabel).join(" + "),
    requests: n,
    workers: options.workerPids.length,
    concurrency,
    wallMs: ms(sent.wallMs),
    cpuMs: ms(cpuMs),
    runqueueMs: ms(runqueueMs),
    blockedMs: ms(Math.max(0, workerMs - cpuMs - runqueueMs)),
    rps: Math.round((n / seconds) * 10) / 10,
  };
}
