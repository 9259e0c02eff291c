/** The API on a real socket: Prometheus parsing of /metrics, /healthz flipping, bearer auth, bind errors. */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { startHttpServer, type RunningHttpServer } from "../../src/adapters/http/http-server.js";
import { GwardenError } from "../../src/core/error.js";
import type { GunicornEvent } from "../../src/core/events/types.js";
import { RingBuffer } from "../../src/core/ring-buffer.js";
import type { SupervisorSnapshot } from "../../src/core/snapshot/snapshot.js";
import { snapshot, worker } from "../unit/core/snapshot/example-snapshot.js";

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => ParsedFamily[];

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(
  current: { snap: SupervisorSnapshot },
  token?: string,
  listen: string | number = "127.0.0.1:0",
) {
  const ring = new RingBuffer<GunicornEvent>(100);
  ring.push({ kind: "start", version: "20.1.0", masterPid: 100, source: "log" });
  ring.push({ kind: "worker_boot", pid: 101, source: "hook" });
  const server = await startHttpServer({
    listen,
    token,
    getSnapshot: () => current.snap,
    getEvents: (since) => ring.since(since),
  });
  servers.push(server);
  return server;
}

async function listenError(listen: string | number): Promise<GwardenError> {
  try {
    const server = await startHttpServer({
      listen,
      getSnapshot: () => snapshot(),
      getEvents: () => ({ entries: [], next: 0, dropped: 0 }),
    });
    servers.push(server);
  } catch (error) {
    if (error instanceof GwardenError) return error;
    throw error;
  }
  throw new Error(`listening on ${listen} did not fail`);
}

describe("http server", () => {
  it("serves /metrics that a Prometheus parser reads, with the DESIGN.md metrics", async () => {
    const server = await start({ snap: snapshot() });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = new Map(parsePrometheus(await res.text()).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(
        families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
          ?.value,
      );
    expect(families.get("gwarden_workers")!.type).toBe("GAUGE");
    expect(value("gwarden_workers", { state: "ready" })).toBe(1);
    expect(value("gwarden_workers", { state: "busy" })).toBe(1);
    expect(value("gwarden_worker_uss_bytes", { pid: "101" })).toBe(18 * 1024 * 1024);
    expect(families.get("gwarden_worker_rss_bytes")!.metrics.map((m) => m.labels!.pid)).toEqual([
      "101",
      "102",
    ]);
    expect(families.get("gwarden_events_total")!.type).toBe("COUNTER");
    expect(value("gwarden_events_total", { kind: "worker_ready" })).toBe(2);
    expect(value("gwarden_memory_limit_bytes")).toBe(512 * 1024 * 1024);
    expect(value("gwarden_listen_backlog_requests")).toBe(3);
    expect(value("gwarden_supervisor_anon_bytes")).toBeGreaterThan(0);
  });

  it("flips /healthz from 503 to 200 when a worker becomes ready", async () => {
    const current = { snap: snapshot({ workers: [worker(101, "booting")] }) };
    const server = await start(current);
    let res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe("no worker ready yet (1 booting)\n");
    current.snap = snapshot({ workers: [worker(101, "ready")] });
    res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("serves /api/state and /api/events?since=", async () => {
    const server = await start({ snap: snapshot() });
    expect(await (await fetch(`${server.url}/api/state`)).json()).toEqual(snapshot());
    const page = (await (await fetch(`${server.url}/api/events?since=1`)).json()) as {
      events: { seq: number; kind: string }[];
      next: number;
    };
    expect(page.events.map((e) => [e.seq, e.kind])).toEqual([[2, "worker_boot"]]);
    expect(page.next).toBe(2);
    expect((await fetch(`${server.url}/api/events?since=x`)).status).toBe(400);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("asks for the bearer token on everything but /healthz", async () => {
    const server = await start({ snap: snapshot() }, "t0ken");
    const denied = await fetch(`${server.url}/metrics`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBe('Bearer realm="gwarden"');
    expect(
      (await fetch(`${server.url}/api/state`, { headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${server.url}/api/state`, { headers: { authorization: "Bearer t0ken" } })).status,
    ).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("listens on IPv6 loopback", async () => {
    const server = await start({ snap: snapshot() }, undefined, "[::1]:0");
    expect(server.address.host).toBe("::1");
    expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("names the address and the cause when the port is taken, and rejects bad values", async () => {
    const server = await start({ snap: snapshot() });
    const taken = await listenError(`127.0.0.1:${server.address.port}`);
    expect(taken.code).toBe("E_LISTEN");
    expect(taken.message).toBe(
      `Cannot listen on 127.0.0.1:${server.address.port}: the address is already in use (another gwarden, or another program) (EADDRINUSE)`,
    );
    expect((await listenError("not-a-port")).code).toBe("E_USAGE");
    expect((await listenError("192.0.2.1:0")).message).toContain("EADDRNOTAVAIL");
  });
});
