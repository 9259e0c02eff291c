import { describe, expect, it } from "vitest";
import { webAsset } from "../../../../src/adapters/http/web-assets.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { RingBuffer } from "../../../../src/core/ring-buffer.js";
import { route, type HttpRequest, type RouteDeps } from "../../../../src/core/serve/routes.js";
import { snapshot, worker } from "../snapshot/example-snapshot.js";

const three = [worker(101, "ready"), worker(102, "ready"), worker(103, "ready")];

function deps(events: GunicornEvent[], over: Partial<RouteDeps> = {}): RouteDeps {
  const ring = new RingBuffer<GunicornEvent>(5000);
  for (const e of events) ring.push(e);
  return {
    getSnapshot: () => snapshot({ workers: three }),
    getEvents: (since) => ring.since(since, 1000),
    getAsset: webAsset,
    ...over,
  };
}

function get(
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): HttpRequest {
  return { method: "GET", path, query, headers };
}

describe("the dashboard routes", () => {
  it("serves the page at / with a CSP that forbids inline scripts and other origins, without the token", () => {
    const res = route(get("/"), deps([], { token: "s3cret" }));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(res.headers["content-security-policy"]).toContain("connect-src 'self'");
    expect(res.body).toContain('<script src="/assets/dashboard.js"></script>');
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it("serves uPlot and our own assets by name only", () => {
    const js = route(get("/assets/uPlot.iife.min.js"), deps([]));
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(js.body).toContain("uPlot");
    expect(route(get("/assets/dashboard.css"), deps([])).status).toBe(200);
    for (const bad of ["/assets/../package.json", "/assets/.env", "/assets/nope.js", "/assets/"])
      expect(route(get(bad), deps([])).status, bad).toBe(404);
  });

  it("answers the browser's own /favicon.ico and the page's icon link, without the token", () => {
    for (const path of ["/favicon.ico", "/assets/favicon.svg"]) {
      const res = route(get(path), deps([], { token: "s3cret" }));
      expect(res.status, path).toBe(200);
      expect(res.headers["content-type"]).toBe("image/svg+xml");
      expect(res.body).toContain("<svg");
    }
    expect(route(get("/"), deps([])).body).toContain('rel="icon" href="/assets/favicon.svg"');
  });

  it("has no dashboard when no assets are given", () => {
    expect(route(get("/"), { ...deps([]), getAsset: undefined }).status).toBe(404);
  });

  it("judges the newest minute of events at /api/verdict, behind the token", () => {
    const old = Array.from(
      { length: 2500 },
      (_, i) =>
        ({
          kind: "worker_boot",
          pid: 1000 + i,
          source: "hook",
          time: "2026-11-27T03:00:00.000Z",
        }) as GunicornEvent,
    );
    const fresh: GunicornEvent = {
      kind: "worker_timeout",
      pid: 101,
      source: "log",
      time: "2026-11-27T04:00:04.000Z",
    };
    const res = route(get("/api/verdict"), deps([...old, fresh]));
    expect(res.status).toBe(200);
    const verdict = JSON.parse(res.body) as { level: string; reasons: string[] };
    expect(verdict.level).toBe("degraded");
    expect(verdict.reasons.join(" ")).toMatch(/timeout/i);
    expect(route(get("/api/verdict"), deps([], { token: "t" })).status).toBe(401);
  });

  it("adds what each event says when asked (?text=1)", () => {
    const events: GunicornEvent[] = [
      {
        kind: "worker_signal",
        pid: 7,
        signal: "unknown",
        cause: "unknown",
        source: "proc",
        detail: "gone from the master's children",
      },
    ];
    const page = JSON.parse(route(get("/api/events", { since: "0", text: "1" }), deps(events)).body) as {
      events: Array<{ text: string }>;
    };
    expect(page.events[0]!.text).toBe("worker died (gone from the master's children)");
    const plain = JSON.parse(route(get("/api/events", { since: "0" }), deps(events)).body) as {
      events: object[];
    };
    expect(plain.events[0]).not.toHaveProperty("text");
  });
});
