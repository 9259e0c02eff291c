/**
 * The HTTP endpoint on node:http (no framework: the daemon's memory budget is 20 MiB of anonymous
 * memory, hono would add ~6 MiB). A thin shell around the pure `route()`: socket in, `HttpRequest`
 * out, `HttpResponse` back. Binds 127.0.0.1 unless told otherwise; bind failures become GwardenError
 * E_LISTEN naming the address.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GwardenError } from "../../core/error.js";
import { formatListen, parseListen, type ListenAddress } from "../../core/serve/listen.js";
import { route, type HttpRequest, type RouteDeps } from "../../core/serve/routes.js";
import { webAsset } from "./web-assets.js";

export interface HttpServerOptions extends RouteDeps {
  /** `9090`, `"127.0.0.1:9090"`, `"[::1]:9090"` or a parsed address; port 0 picks a free port. */
  listen: string | number | ListenAddress;
}

export interface RunningHttpServer {
  /** The bound address (the real port when 0 was asked for). */
  address: ListenAddress;
  /** `http://127.0.0.1:9090`. */
  url: string;
  /** Stops listening and drops open keep-alive connections. */
  close(): Promise<void>;
}

/** Starts the API server; rejects with GwardenError E_USAGE (bad listen value) or E_LISTEN (bind failed). */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const wanted = typeof options.listen === "object" ? options.listen : parseListen(options.listen);
  const deps: RouteDeps = { ...options, getAsset: options.getAsset ?? webAsset };
  const server = createServer((req, res) => respond(req, res, deps));
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, wanted)));
    server.listen(wanted.port, wanted.host, () => resolve());
  });
  const info = server.address() as AddressInfo;
  const address = { host: info.address, port: info.port };
  return {
    address,
    url: `http://${formatListen(address)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function respond(req: IncomingMessage, res: ServerResponse, deps: RouteDeps): void {
  let response;
  try {
    response = route(toRequest(req), deps);
  } catch (error) {
    response = {
      status: 500,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: `internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    };
  }
  res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body) });
  res.end(req.method === "HEAD" ? undefined : response.body);
}

function toRequest(req: IncomingMessage): HttpRequest {
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const query: Record<string, string> = {};
  if (q >= 0) for (const [key, value] of new URLSearchParams(target.slice(q + 1))) query[key] ??= value;
  return {
    method: req.method ?? "GET",
    path: q >= 0 ? target.slice(0, q) : target,
    query,
    headers: req.headers,
  };
}

const REASONS: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another gwarden, or another program)",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "the address is not available on this machine",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve",
};

function listenError(error: NodeJS.ErrnoException, address: ListenAddress): GwardenError {
  const where = formatListen(address);
  const reason = REASONS[error.code ?? ""] ?? error.message;
  return new GwardenError(
    "E_LISTEN",
    `Cannot listen on ${where}: ${reason}${error.code ? ` (${error.code})` : ""}`,
    {
      cause: error,
      hint: "choose another address with --listen HOST:PORT (port 0 picks a free one)",
      details: { address: where, code: error.code },
    },
  );
}
