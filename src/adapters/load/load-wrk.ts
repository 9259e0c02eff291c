/**
 * The lab's load through wrk (Debian's `wrk`), a C load generator run as a child process: it reconnects
 * cleanly when gunicorn's sync workers close the connection after each response, where autocannon
 * counts errors and inflates latencies. A Lua script cycles the paths and prints one JSON line at the
 * end (also after SIGINT, which stops wrk early). Loopback targets only; bounded by `-d`.
 */
import { spawn, spawnSync } from "node:child_process";
import type { LoadShape } from "../../core/lab/scenarios.js";
import type { RequestSpec } from "../../core/profile/request-spec.js";
import type { LabLoadResult, RunningLoad } from "./running-load.js";

/** A Lua string literal: quotes, backslashes and control bytes escaped (Lua 5.1 has no \u escapes). */
export function luaString(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte}`;
    else out += String.fromCharCode(byte);
  }
  return `"${out}"`;
}

/** The Lua script: round-robin over the requests (method, headers, body), a JSON summary in done(). */
export function wrkScript(requests: readonly RequestSpec[]): string {
  const list = requests
    .map((r) => {
      const headers = r.headers.map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`).join(", ");
      const body = r.body === null ? "nil" : luaString(r.body);
      return `wrk.format(${luaString(r.method)}, ${luaString(r.path)}, { ${headers} }, ${body})`;
    })
    .join(",\n  ");
  return `local requests = nil
local i = 0
request = function()
  if requests == nil then requests = {
  ${list}
  } end
  i = i + 1
  return requests[(i % #requests) + 1]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"responses":%d,"seconds":%.3f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%.3f,"p99":%.3f}\\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
}

interface WrkJson {
  responses: number;
  seconds: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p99: number;
}

/** True when `wrk` runs here. */
export function wrkAvailable(): boolean {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8", timeout: 5_000 });
  return probe.error === undefined && /wrk/.test(`${probe.stdout}${probe.stderr}`);
}

function toResult(json: WrkJson): LabLoadResult {
  const noResponse = json.connect + json.read + json.write + json.timeout;
  const ok = Math.max(0, json.responses - json.status);
  const round1 = (v: number) => Math.round(v * 10) / 10;
  return {
    requests: json.responses + noResponse,
    ok,
    failed: json.status + noResponse,
    seconds: json.seconds,
    rps: json.seconds > 0 ? round1(ok / json.seconds) : 0,
    p50Ms: json.responses > 0 ? round1(json.p50) : null,
    p99Ms: json.responses > 0 ? round1(json.p99) : null,
    statuses: {
      ...(ok > 0 ? { "2xx/3xx": ok } : {}),
      ...(json.status > 0 ? { "4xx/5xx": json.status } : {}),
      ...(noResponse > 0 ? { "no response": noResponse } : {}),
    },
  };
}

/** Starts wrk against `origin`; `stop()` sends SIGINT (wrk then prints its summary). */
export function startWrk(origin: string, shape: LoadShape, scriptPath: string): RunningLoad {
  const host = new URL(origin).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host))
    throw new Error(`load generation is limited to loopback targets, got ${host}`);
  const seconds = Math.max(1, Math.round(shape.seconds ?? 10));
  const threads = Math.min(2, shape.connections);
  const child = spawn(
    "wrk",
    [
      "-t",
      String(threads),
      "-c",
      String(shape.connections),
      "-d",
      `${seconds}s`,
      "--timeout",
      `${shape.timeoutSeconds}s`,
      "-s",
      scriptPath,
      origin,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr = (stderr + t).slice(-2000)));
  const kill = setTimeout(() => child.kill("SIGKILL"), (seconds + shape.timeoutSeconds + 15) * 1000);
  const result = new Promise<LabLoadResult>((resolve) => {
    child.on("error", (error) =>
      resolve({
        ...toResult({
          responses: 0,
          seconds: 0,
          connect: 0,
          read: 0,
          write: 0,
          status: 0,
          timeout: 0,
          p50: 0,
          p99: 0,
        }),
        error: error.message,
      }),
    );
    child.on("close", () => {
      clearTimeout(kill);
      const line = stdout
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      try {
        resolve(toResult(JSON.parse(line ?? "") as WrkJson));
      } catch {
        resolve({
          ...toResult({
            responses: 0,
            seconds: 0,
            connect: 0,
            read: 0,
            write: 0,
            status: 0,
            timeout: 0,
            p50: 0,
            p99: 0,
          }),
          error: `wrk failed: ${stderr.trim() || stdout.trim() || "no result"}`,
        });
      }
    });
  });
  return {
    stop: () => {
      if (child.exitCode === null) child.kill("SIGINT");
    },
    result,
  };
}
