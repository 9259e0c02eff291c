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
