/**
 * `gwarden monitor [--url URL | --pid MASTER_PID] [--interval 2s] [--token T] [--once] [--json]`: the
 * live terminal dashboard of a running `gwarden run` (its API; the default) or of any gunicorn master
 * found by pid through /proc. Parses options and wires; the loop lives in src/adapters/monitor/loop.ts.
 */
import { defineVerb } from "../core/cli/verb.js";
import { GwardenError } from "../core/error.js";

const DEFAULT_URL = "http://127.0.0.1:9191";

export default defineVerb({
  name: "monitor",
  summary: "Live terminal dashboard: workers' CPU and memory, the last minute's events, a health verdict",
  flags: {
    url: {
      type: "string",
      placeholder: "URL",
      description: `A running \`gwarden run\` (default ${DEFAULT_URL})`,
    },
    pid: {
      type: "number",
      integer: true,
      min: 1,
      placeholder: "PID",
      description: "Attach to a gunicorn master by pid through /proc (no gwarden needed in front)",
    },
    interval: { type: "duration", default: "2s", min: "200ms", description: "Refresh interval" },
    token: {
      type: "string",
      placeholder: "TOKEN",
      description: "Bearer token of the API (also GWARDEN_TOKEN)",
    },
    once: { type: "boolean", description: "Print one plain snapshot and exit" },
    json: { type: "boolean", description: "Print the view (snapshot, events, verdict) as one JSON document" },
  },
  examples: [
    { command: "gwarden monitor", comment: "attach to a gwarden run on 127.0.0.1:9191" },
    {
      command: "gwarden monitor --pid 4242",
      comment: "or to any gunicorn master, no gwarden needed in front",
    },
    {
      command: "gwarden monitor --pid 4242 --once",
      comment: "one plain snapshot (also what you get when piped)",
    },
  ],
  async run({ args }) {
    if (args.url !== undefined && args.pid !== undefined) {
      throw new GwardenError("E_USAGE", "Give either --url or --pid, not both", {
        hint: "--url reads a gwarden run; --pid reads a bare gunicorn master",
      });
    }
    const source =
      args.pid !== undefined
        ? (await import("../adapters/monitor/pid-source.js")).createPidSource(args.pid)
        : (await import("../adapters/monitor/api-source.js")).createApiSource(
            args.url ?? DEFAULT_URL,
            args.token ?? process.env.GWARDEN_TOKEN ?? null,
          );
    const { runMonitor } = await import("../adapters/monitor/loop.js");
    process.exitCode = await runMonitor({
      source,
      intervalMs: args.interval,
      once: args.once,
      json: args.json,
    });
  },
});
