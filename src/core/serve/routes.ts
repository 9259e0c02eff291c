/**
 * The HTTP API as a pure function: request in, response out. The node:http adapter only converts
 * sockets to `HttpRequest` and `HttpResponse` back, so every route, status and header is tested
 * without a socket.
 *
 *   GET /metrics               Prometheus text (format 0.0.4)
 *   GET /api/state             the SupervisorSnapshot as JSON
 *   GET /api/events?since=N    {events: [{seq, ...event}], next, dropped}
 *   GET /api/events?text=1     the same, each event with `text` (what it says, for people)
 *   GET /api/verdict           the health verdict of the live views (healthy/degraded/failing, reasons, fixes)
 *   GET /healthz               200 "ok" | 503 "<reason>" (never needs the token)
 *   GET /favicon.ico           the dashboard's icon (an SVG; browsers ask for this path on their own)
 *   GET /, /assets/NAME        the web dashboard (static, no data in it: never needs the token; the page
 *                              sends the token it finds in its URL fragment, `#token=...`)
 */
import type { GunicornEvent } from "../events/types.js";
import { CONTENT_TYPE } from "../metrics/exposition.js";
import { renderMetrics } from "../metrics/render.js";
import { eventText } from "../monitor/event-text.js";
import { judge } from "../monitor/verdict.js";
import { recentEvents } from "../monitor/view.js";
import type { SinceResult } from "../ring-buffer.js";
import { health } from "../snapshot/health.js";
import type { SupervisorSnapshot } from "../snapshot/snapshot.js";

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
  /** A dashboard file by name (`index.html`, `dashboard.js`, ...); null when unknown. Absent: no dashboard. */
  getAsset?: (name: string) => WebAsset | null;
}

export interface WebAsset {
  contentType: string;
  body: string;
}

/** The dashboard may load only its own files, talk only to its own origin, and run no inline script. */
const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Events the verdict looks at, at most (it reads the last minute of them). */
const MAX_VERDICT_EVENTS = 1000;
const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

/** Answers one request. */
export function route(req: HttpRequest, deps: RouteDeps): HttpResponse {
  const asset =
    req.path === "/"
      ? "index.html"
      : req.path === "/favicon.ico"
        ? "favicon.svg"
        : req.path.startsWith("/assets/")
          ? req.path.slice("/assets/".length)
          : null;
  const known =
    asset !== null ||
    ["/metrics", "/api/state", "/api/events", "/api/verdict", "/healthz"].includes(req.path);
  if (!known) return text(404, `not found: ${req.path}\n`);
  if (req.method !== "GET" && req.method !== "HEAD") {
    return {
      ...text(405, `method ${req.method} not allowed\n`),
      headers: { "content-type": TEXT_TYPE, "cache-control": "no-store", allow: "GET, HEAD" },
    };
  }
  const response = asset !== null ? serveAsset(asset, deps) : answer(req, deps);
  return req.method === "HEAD" ? { ...response, body: "" } : response;
}

function answer(req: HttpRequest, deps: RouteDeps): HttpResponse {
  if (req.path === "/healthz") {
    const verdict = health(deps.getSnapshot());
    return verdict.ok ? text(200, "ok\n") : text(503, `${verdict.reason}\n`);
  }
  if (deps.token && !authorized(req.headers.authorization, deps.token)) {
    return {
      status: 401,
      headers: {
        "content-type": TEXT_TYPE,
        "cache-control": "no-store",
        "www-authenticate": 'Bearer realm="gwarden"',
      },
      body: "a bearer token is required (--token)\n",
    };
  }
  switch (req.path) {
    case "/metrics":
      return {
        status: 200,
        headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" },
        body: (deps.getMetrics ?? (() => renderMetrics(deps.getSnapshot())))(),
      };
    case "/api/state":
      return json(200, deps.getSnapshot());
    case "/api/verdict": {
      const snapshot = deps.getSnapshot();
      return json(200, judge(snapshot, recentEvents(newestEvents(deps), snapshot.time)));
    }
    default: {
      const since = parseSince(req.query.since);
      if (since === null)
        return text(400, `since must be a non-negative integer, got ${JSON.stringify(req.query.since)}\n`);
      const page = deps.getEvents(since);
      const withText = req.query.text === "1";
      return json(200, {
        events: page.entries.map((e) => ({
          seq: e.seq,
          ...e.item,
          ...(withText ? { text: eventText(e.item) } : {}),
        })),
        next: page.next,
        dropped: page.dropped,
      });
    }
  }
}

/** The newest kept events (getEvents pages from the oldest; walk to the end, keeping the last page's worth). */
function newestEvents(deps: RouteDeps): GunicornEvent[] {
  let kept: GunicornEvent[] = [];
  let since = 0;
  for (let page = 0; page < 20; page++) {
    const result = deps.getEvents(since);
    if (result.entries.length === 0) break;
    kept = [...kept, ...result.entries.map((e) => e.item)].slice(-MAX_VERDICT_EVENTS);
    since = result.next;
  }
  return kept;
}

function serveAsset(name: string, deps: RouteDeps): HttpResponse {
  const found = /^[a-zA-Z0-9][\w.-]*$/.test(name) ? (deps.getAsset?.(name) ?? null) : null;
  if (found === null)
    return text(
      404,
      `not found: ${name === "index.html" ? "/ (this server has no dashboard)" : `/assets/${name}`}\n`,
    );
  const headers: Record<string, string> = {
    "content-type": found.contentType,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
  if (name === "index.html") headers["content-security-policy"] = DASHBOARD_CSP;
  return { status: 200, headers, body: found.body };
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
  return {
    status,
    headers: { "content-type": JSON_TYPE, "cache-control": "no-store" },
    body: `${JSON.stringify(value)}\n`,
  };
}
