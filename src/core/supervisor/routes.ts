/**
 * The HTTP API as a pure function: request in, response out. The node:http adapter only converts
 * sockets to `HttpRequest` and `HttpResponse` back, so every route, status and header is tested
 * without a socket.
 *
 *   GET /metrics               Prometheus text (format 0.0.4)
 *   GET /api/state             the SupervisorSnapshot as JSON
 *   GET /api/events?since=N    {events: [{seq, ...event}], next, dropped}
 *   GET /healthz               200 "ok" | 503 "<reason>" (never needs the token)
 */
import type { GunicornEvent } from "../events/types.js";
import { CONTENT_TYPE } from "../metrics/exposition.js";
import { renderMetrics } from "../metrics/render.js";
import type { SinceResult } from "../ring-buffer.js";
import { health } from "./health.js";
import type { SupervisorSnapshot } from "./snapshot.js";

export interface HttpRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Readonly<Record<string, string | undefined>>;
  /** Lower-case header names, as node:http gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RouteDeps {
  /** When set, every route but /healthz needs `Authorization: Bearer <token>`. */
  token?: string | null;
  getSnapshot: () => SupervisorSnapshot;
  getEvents: (since: number) => SinceResult<GunicornEvent>;
  /** Defaults to `renderMetrics(getSnapshot())`. */
  getMetrics?: () => string;
}

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

/** Answers one request. */
export function route(req: HttpRequest, deps: RouteDeps): HttpResponse {
  const known = ["/metrics", "/api/state", "/api/events", "/healthz"].includes(req.path);
  if (!known) return text(404, `not found: ${req.path}\n`);
  if (req.method !== "GET" && req.method !== "HEAD") {
    return { ...text(405, `method ${req.method} not allowed\n`), headers: { "content-type": TEXT_TYPE, "cache-control": "no-store", allow: "GET, HEAD" } };
  }
  const response = answer(req, deps);
  return req.method === "HEAD" ? { ...response, body: "" } : response;
}

function answer(req: HttpRequest, deps: RouteDeps): HttpResponse {
  if (req.path === "/healthz") {
    const verdict = health(deps.getSnapshot());
    return verdict.ok ? text(200, "ok\n") : text(503, `${verdict.reason}\n`);
  }
  if (deps.token && !authorized(req.headers.authorization, deps.token)) {
    return { status: 401, headers: { "content-type": TEXT_TYPE, "cache-control": "no-store", "www-authenticate": 'Bearer realm="gwarden"' }, body: "a bearer token is required (--token)\n" };
  }
  switch (req.path) {
    case "/metrics":
      return { status: 200, headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" }, body: (deps.getMetrics ?? (() => renderMetrics(deps.getSnapshot())))() };
    case "/api/state":
      return json(200, deps.getSnapshot());
    default: {
      const since = parseSince(req.query.since);
      if (since === null) return text(400, `since must be a non-negative integer, got ${JSON.stringify(req.query.since)}\n`);
      const page = deps.getEvents(since);
      return json(200, { events: page.entries.map((e) => ({ seq: e.seq, ...e.item })), next: page.next, dropped: page.dropped });
    }
  }
}

function parseSince(value: string | undefined): number | null {
  if (value === undefined || value === "") return 0;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/** True when the Authorization header carries the bearer token (compared in constant time). */
export function authorized(header: string | string[] | undefined, token: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value ?? "");
  if (!m) return false;
  const given = m[1]!;
  let diff = given.length ^ token.length;
  for (let i = 0; i < token.length; i++) diff |= token.charCodeAt(i) ^ (given.charCodeAt(i) || 0);
  return diff === 0;
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { "content-type": TEXT_TYPE, "cache-control": "no-store" }, body };
}

function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { "content-type": JSON_TYPE, "cache-control": "no-store" }, body: `${JSON.stringify(value)}\n` };
}
