/**
 * The lab's load generator, run as its own `node` process so that autocannon (and its ~24 MiB) never
 * shares an event loop or a heap with the harness: reads its options as JSON from argv[2], loads
 * autocannon, runs, prints one JSON result line on stdout. A line `stop` on stdin ends the run early
 * (the result still comes). Loopback targets only.
 */
import { createInterface } from "node:readline";

interface ChildOptions {
  origin: string;
  paths: string[];
  requests: Array<{ method: string; path: string; headers: Array<[string, string]>; body: string | null }>;
  connections: number;
  seconds?: number;
  amount?: number;
  timeoutSeconds: number;
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
  "2xx": number;
}

type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => { stop: () => void };

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as ChildOptions;
  const host = new URL(options.origin).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host))
    throw new Error(`load generation is limited to loopback targets, got ${host}`);
  // A specifier in a variable: autocannon ships no types, and this is the only place that loads it.
  const specifier = "autocannon";
  const autocannon = ((await import(specifier)) as { default: Autocannon }).default;
  const instance = autocannon(
    {
      url: options.origin,
      connections: options.connections,
      ...(options.amount === undefined ? { duration: options.seconds ?? 10 } : { amount: options.amount }),
      timeout: options.timeoutSeconds,
      requests: options.requests.map((r) => ({
        method: r.method,
        path: r.path,
        headers: Object.fromEntries(r.headers),
        ...(r.body === null ? {} : { body: r.body }),
      })),
    },
    (error, result) => {
      if (error) {
        process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
        process.exit(1);
      }
      const ok = result["2xx"] ?? 0;
      process.stdout.write(
        `${JSON.stringify({
          responses: result.requests.total,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          seconds: result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          statuses: Object.fromEntries(
            Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
          ),
        })}\n`,
      );
      process.exit(0);
    },
  );
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() === "stop") instance.stop();
  });
}

main().catch((error: unknown) => {
  process.stdout.write(
    `${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
