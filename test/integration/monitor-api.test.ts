/**
 * `gwarden monitor --url` against the real HTTP endpoint (startHttpServer with a token, fed a snapshot
 * and events by the test): the bearer token is sent, a missing one is a clear E_IO error, and the
 * view carries the events and the verdict they cause.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../../src/adapters/http/http-server.js";
import type { GunicornEvent } from "../../src/core/events/types.js";
import { RingBuffer } from "../../src/core/ring-buffer.js";
import { snapshot, worker } from "../unit/core/snapshot/example-snapshot.js";
import { cli } from "./monitor-harness.js";

const run = promisify(execFile);
const TOKEN = "monitor-test-token";
let server: RunningHttpServer;

beforeAll(async () => {
  const ring = new RingBuffer<GunicornEvent>(100);
  const now = new Date().toISOString();
  ring.push({
    kind: "worker_timeout",
    pid: 102,
    source: "log",
    time: now,
    line: "[CRITICAL] WORKER TIMEOUT (pid:102)",
  });
  ring.push({ kind: "worker_boot", pid: 104, source: "hook", time: now });
  server = await startHttpServer({
    listen: "127.0.0.1:0",
    token: TOKEN,
    getSnapshot: () =>
      snapshot({
        time: new Date().toISOString(),
        workers: [worker(101, "ready"), worker(103, "ready"), worker(104, "booting")],
      }),
    getEvents: (since) => ring.since(since),
  });
});

afterAll(async () => {
  await server.close();
});

describe("gwarden monitor --url", () => {
  it("sends the bearer token and shows the API's workers, events and verdict", async () => {
    const { stdout } = await run(process.execPath, [
      cli,
      "monitor",
      "--url",
      server.url,
      "--token",
      TOKEN,
      "--json",
      "--interval",
      "200ms",
    ]);
    const view = JSON.parse(stdout) as {
      mode: string;
      target: string;
      snapshot: { workers: Array<{ pid: number }> };
      events: Array<{ kind: string }>;
      verdict: { level: string; reasons: string[] };
    };
    expect(view.mode).toBe("api");
    expect(view.snapshot.workers.map((w) => w.pid)).toEqual([101, 103, 104]);
    expect(view.events.map((e) => e.kind)).toEqual(["worker_timeout", "worker_boot"]);
    expect(view.verdict.level).toBe("degraded");
    expect(view.verdict.reasons.join(" ")).toMatch(/timeout/i);
  });

  it("takes the token from GWARDEN_TOKEN and prints a plain frame with --once", async () => {
    const { stdout } = await run(
      process.execPath,
      [cli, "monitor", "--url", server.url, "--once", "--interval", "200ms"],
      { env: { ...process.env, GWARDEN_TOKEN: TOKEN, COLUMNS: "80" } },
    );
    expect(stdout).toMatch(/^memory \[█+▒*░+\] 150 MiB \/ 512 MiB 29%$/m);
    expect(stdout).toMatch(/^\s+104 booting /m);
    expect(stdout).toContain("WORKER TIMEOUT");
  });

  it("says what is wrong without the token", async () => {
    const failure = await run(process.execPath, [cli, "monitor", "--url", server.url, "--once"], {
      env: { ...process.env, GWARDEN_TOKEN: "" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /Cannot read http:\/\/127\.0\.0\.1:\d+\/api\/state: HTTP 401/,
    );
    expect((failure as { stderr: string }).stderr).toContain("code: E_IO");
  });
});
