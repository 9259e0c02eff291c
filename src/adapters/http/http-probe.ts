/**
 * A tiny loopback HTTP prober: one request (a GET unless told otherwise), its status, latency and the
 * start of the body, never a throw.
 * node:http only (global fetch would cost ~16 MiB of the supervisor's memory). A fresh connection per
 * request, so concurrent probes reach different sync workers.
 */
import { request } from "node:http";

export interface ProbeResult {
  /** The path probed (`/health`). */
  path: string;
  /** HTTP status, or null when no response came (refused, reset, timeout). */
  status: number | null;
  /** 2xx. */
  ok: boolean;
  ms: number;
  /** Why there was no response. */
  error?: string;
  /** The first bytes of the body (≤ 2 KiB), for error messages. */
  body: string;
}

export interface ProbeOptions {
  timeoutMs?: number;
  now?: () => number;
  /** Another method, headers and a body (profile's `--url 'POST /login' --data ...`). */
  request?: { method: string; headers: ReadonlyArray<readonly [string, string]>; body: string | null };
}

const BODY_LIMIT = 2048;

/** Sends one request to `http://host:port/path` (GET by default); resolves with the outcome, never rejects. */
export function probe(
  host: string,
  port: number,
  path: string,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const { timeoutMs = 30_000, now = () => performance.now(), request: spec } = options;
  const body = spec?.body ?? null;
  const headers: Record<string, string> = Object.fromEntries(spec?.headers ?? []);
  if (body !== null) headers["Content-Length"] = String(Buffer.byteLength(body));
  const started = now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number | null, body: string, error?: string): void => {
      if (done) return;
      done = true;
      const ok = status !== null && status >= 200 && status < 300;
      resolve({ path, status, ok, ms: now() - started, body, ...(error === undefined ? {} : { error }) });
    };
    const method = spec?.method ?? "GET";
    const options = { host, port, path, method, headers, agent: false, timeout: timeoutMs };
    const req = request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < BODY_LIMIT) body += chunk.slice(0, BODY_LIMIT - body.length);
      });
      res.on("end", () => finish(res.statusCode ?? null, body));
      res.on("error", (error) => finish(res.statusCode ?? null, body, error.message));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => finish(null, "", error.message));
    req.end(body ?? undefined);
  });
}

/** Sends `count` probes of one path with up to `concurrency` in flight; results in completion order. */
export async function probeMany(
  host: string,
  port: number,
  path: string,
  count: number,
  concurrency: number,
  options: ProbeOptions = {},
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++;
      results.push(await probe(host, port, path, options));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return results;
}
