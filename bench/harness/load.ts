/**
 * A bounded HTTP load generator for loopback targets: a fixed number of GET requests at a fixed
 * concurrency over keep-alive connections, recording each latency and outcome. Used by the bench and
 * the lab harness (which run outside the app's cgroup). node:http only: global fetch costs ~16 MiB.
 */
import { Agent, request } from "node:http";
import { summarizeLoad, type LoadOutcome, type LoadSummary } from "./load-summary.js";

export interface LoadOptions {
  /** Full URL on 127.0.0.1 / ::1, e.g. http://127.0.0.1:8000/db */
  url: string;
  requests: number;
  concurrency: number;
  /** Per-request deadline; a request past it counts as failed (`timeout`). */
  timeoutMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Sends `requests` GETs with `concurrency` in flight, then resolves with the summary. Never rejects. */
export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const {
    url,
    requests,
    concurrency,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    now = () => performance.now(),
  } = options;
  const target = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) {
    throw new Error(`load generation is limited to loopback targets, got ${target.hostname}`);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: LoadOutcome[] = [];
  let next = 0;
  const started = now();

  const one = (): Promise<LoadOutcome> =>
    new Promise((resolve) => {
      const t0 = now();
      const req = request(target, { agent, method: "GET", timeout: timeoutMs }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: now() - t0 }));
        res.on("error", (error) => resolve({ status: null, ms: now() - t0, error: error.message }));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (error) => resolve({ status: null, ms: now() - t0, error: error.message }));
      req.end();
    });

  const lane = async (): Promise<void> => {
    while (next < requests) {
      next++;
      outcomes.push(await one());
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests)) }, lane));
  agent.destroy();
  return summarizeLoad(outcomes, (now() - started) / 1000);
}
