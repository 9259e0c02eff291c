import { describe, expect, it } from "vitest";
import { authorized, route, type HttpRequest, type RouteDeps } from "../../../../src/core/serve/routes.js";
import { RingBuffer } from "../../../../src/core/ring-buffer.js";
import type { GunicornEvent } from "../../../../src/core/events/types.js";
import { snapshot, worker } from "../snapshot/example-snapshot.js";

function deps(over: Partial<RouteDeps> = {}): RouteDeps {
  const ring = new RingBuffer<GunicornEvent>(10);
  ring.push({ kind: "worker_boot", pid: 101, source: "hook" });
  ring.push({ kind: "worker_ready", pid: 101, source: "hook" });
  return { getSnapshot: () => snapshot(), getEvents: (since) => ring.since(since), ...over };
}

function get(
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): HttpRequest {
  return { method: "GET", path, query, headers };
}

describe("route", () => {
  it("serves /metrics as Prometheus text", () => {
    const res = route(get("/metrics"), deps());
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(res.body).toContain('gwarden_workers{state="ready"} 1');
    expect(route(get("/metrics"), deps({ getMetrics: () => "x 1\n" })).body).toBe("x 1\n");
  });

  it("serves the snapshot at /api/state", () => {
    const res = route(get("/api/state"), deps());
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual(snapshot());
  });

  it("serves /api/events after a cursor", () => {
    expect(JSON.parse(route(get("/api/events"), deps()).body)).toEqual({
      events: [
        { seq: 1, kind: "worker_boot", pid: 101, source: "hook" },
        { seq: 2, kind: "worker_ready", pid: 101, source: "hook" },
      ],
      next: 2,
      dropped: 0,
    });
    expect(JSON.parse(route(get("/api/events", { since: "1" }), deps()).body).events).toHaveLength(1);
    expect(JSON.parse(route(get("/api/events", { since: "2" }), deps()).body)).toEqual({
      events: [],
      next: 2,
      dropped: 0,
    });
    expect(route(get("/api/events", { since: "-1" }), deps()).status).toBe(400);
    expect(route(get("/api/events", { since: "abc" }), deps()).status).toBe(400);
  });

  it("answers /healthz 200 or 503 with the reason", () => {
    expect(route(get("/healthz"), deps())).toMatchObject({ status: 200, body: "ok\n" });
    const booting = deps({ getSnapshot: () => snapshot({ workers: [worker(7, "booting")] }) });
    expect(route(get("/healthz"), booting)).toMatchObject({
      status: 503,
      body: "no worker ready yet (1 booting)\n",
    });
  });

  it("404s unknown paths and 405s other methods, HEAD has no body", () => {
    expect(route(get("/nope"), deps()).status).toBe(404);
    const post = route({ ...get("/metrics"), method: "POST" }, deps());
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    expect(route({ ...get("/healthz"), method: "HEAD" }, deps())).toMatchObject({ status: 200, body: "" });
  });

  it("needs the bearer token everywhere but /healthz when one is set", () => {
    const d = deps({ token: "s3cret" });
    for (const path of ["/metrics", "/api/state", "/api/events"]) {
      const res = route(get(path), d);
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="gwarden"');
      expect(route(get(path, {}, { authorization: "Bearer wrong" }), d).status).toBe(401);
      expect(route(get(path, {}, { authorization: "Bearer s3cret" }), d).status).toBe(200);
    }
    expect(route(get("/healthz"), d).status).toBe(200);
  });
});

describe("authorized", () => {
  it("accepts only the exact token", () => {
    expect(authorized("Bearer abc", "abc")).toBe(true);
    expect(authorized("bearer abc", "abc")).toBe(true);
    expect(authorized(["Bearer abc"], "abc")).toBe(true);
    for (const header of [undefined, "", "Bearer ab", "Bearer abcd", "Basic abc", "Bearer  ", "abc"])
      expect(authorized(header, "abc")).toBe(false);
  });
});
