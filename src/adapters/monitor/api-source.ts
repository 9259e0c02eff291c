/**
 * `monitor --url URL`: a running `gwarden run` read through its API (GET /api/state, then
 * /api/events?since=N for what happened since the last look), with node:http and an optional bearer
 * token. Failures name the URL and what to do.
 */
import { request as httpRequest } from "node:http";
import { GwardenError } from "../../core/error.js";
import type { GunicornEvent } from "../../core/events/types.js";
import type { SupervisorSnapshot } from "../../core/snapshot/snapshot.js";
import type { MonitorSource, SourceReading } from "./source.js";

const TIMEOUT_MS = 5000;

/** GETs `path` on `base` and parses the JSON body; rejects with GwardenError E_IO. */
export function getJson(base: URL, path: string, token: string | null): Promise<unknown> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const fail = (why: string, cause?: unknown) =>
      reject(
        new GwardenError("E_IO", `Cannot read ${url.href}: ${why}`, {
          cause,
          hint: "is `gwarden run` serving there? (--listen, default 127.0.0.1:9191; --token when it needs one)",
        }),
      );
    const req = httpRequest(
      url,
      {
        method: "GET",
        agent: false,
        timeout: TIMEOUT_MS,
        headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("error", (error) => fail(error.message, error));
        res.on("end", () => {
          if (res.statusCode !== 200)
            return fail(`HTTP ${res.statusCode}${body ? `: ${body.trim().slice(0, 200)}` : ""}`);
          try {
            resolve(JSON.parse(body));
          } catch (error) {
            fail("the answer is not JSON", error);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message, error));
    req.end();
  });
}

interface EventsPage {
  events: Array<GunicornEvent & { seq: number }>;
  next: number;
}

/** Creates the API source for a `gwarden run` at `url` (http://host:port). */
export function createApiSource(url: string, token: string | null): MonitorSource {
  let base: URL;
  try {
    base = new URL(url);
  } catch (error) {
    throw new GwardenError("E_USAGE", `--url expects an http:// URL, got \`${url}\``, {
      cause: error,
      hint: "e.g. --url http://127.0.0.1:9191",
    });
  }
  if (base.protocol !== "http:")
    throw new GwardenError("E_USAGE", `--url expects an http:// URL, got \`${url}\``, {
      hint: "gwarden run serves plain HTTP on loopback",
    });
  let since = 0;
  return {
    mode: "api",
    target: base.origin,
    async read(): Promise<SourceReading> {
      const snapshot = (await getJson(base, "/api/state", token)) as SupervisorSnapshot;
      const page = (await getJson(base, `/api/events?since=${since}`, token)) as EventsPage;
      since = page.next;
      const inputs = snapshot.plan?.inputs;
      // the plan's CPUs: a quota when the planner found one, else the affinity count
      const cpu = inputs
        ? { quota: inputs.cpuSource === "cgroup quota" ? inputs.cpus : null, effective: inputs.cpus }
        : null;
      return { snapshot, events: page.events, cpu };
    },
  };
}
