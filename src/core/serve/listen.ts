/**
 * `--listen` values: `9090` (loopback), `127.0.0.1:9090`, `0.0.0.0:9090`, `localhost:9090`,
 * `[::1]:9090`. Port 0 asks the kernel for a free port. Loopback by default: the API shows pids and
 * memory, so exposing it is a choice the user makes explicitly.
 */
import { GwardenError } from "../error.js";

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN_HOST = "127.0.0.1";

/** Parses a `--listen` value; throws GwardenError E_USAGE naming the bad value. */
export function parseListen(value: string | number): ListenAddress {
  const textValue = String(value).trim();
  const bare = /^\d+$/.exec(textValue);
  const v6 = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d+)$/.exec(textValue);
  const host = /^([A-Za-z0-9.-]+):(\d+)$/.exec(textValue);
  const [h, p] = bare
    ? [DEFAULT_LISTEN_HOST, bare[0]]
    : v6
      ? [v6[1]!, v6[2]!]
      : host
        ? [host[1]!, host[2]!]
        : [null, null];
  if (h === null || p === null) {
    throw new GwardenError(
      "E_USAGE",
      `--listen expects PORT, HOST:PORT or [IPV6]:PORT, got \`${textValue}\``,
      {
        hint: "e.g. --listen 9090, --listen 127.0.0.1:9090, --listen [::1]:9090",
      },
    );
  }
  const port = Number(p);
  if (!Number.isInteger(port) || port > 65535) {
    throw new GwardenError("E_USAGE", `--listen port must be 0–65535, got \`${p}\``, {
      hint: "0 picks a free port",
    });
  }
  return { host: h, port };
}

/** `127.0.0.1:9090`, `[::1]:9090`. */
export function formatListen(address: ListenAddress): string {
  return address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** 127.0.0.0/8, ::1 (also v4-mapped) and `localhost`: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, "");
  return h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Refuses to serve /metrics and /api/state (pids, memory, the app's command line) beyond this machine
 * without a token, unless the user says the network is trusted (`--allow-unauthenticated`).
 */
export function checkListenAuth(
  address: ListenAddress,
  token: string | null,
  allowUnauthenticated: boolean,
): void {
  if (isLoopbackHost(address.host) || (token !== null && token !== "") || allowUnauthenticated) return;
  throw new GwardenError(
    "E_USAGE",
    `Refusing to serve /metrics, /api/state and the dashboard on ${formatListen(address)} without a token: anyone who can reach that address could read them`,
    {
      hint: "give --token T (or GWARDEN_TOKEN), listen on 127.0.0.1, or add --allow-unauthenticated when only trusted peers (e.g. a Prometheus on a private network) can reach it",
    },
  );
}

/** The line `run` prints once it listens: the dashboard's URL (carrying the token, which the page reads from `#token=`) and the API. */
export function listeningLine(url: string, token: string | null): string {
  return token !== null && token !== ""
    ? `serving ${url}/#token=${encodeURIComponent(token)} (the dashboard); /metrics, /api/state, /api/events need the bearer token, /healthz does not`
    : `serving ${url}/ (the dashboard), /metrics, /api/state, /api/events, /healthz`;
}
