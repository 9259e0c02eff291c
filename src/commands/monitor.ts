/**
 * `gwarden monitor [--url URL | --pid MASTER_PID] [--interval 2s] [--token T] [--once] [--json]`: the
 * live terminal dashboard of a running `gwarden run` (its API; the default) or of any gunicorn master
 * found by pid through /proc. Parses options and wires; the loop lives in src/adapters/monitor/loop.ts.
 */
import { defineCommand } from "citty";
import { parseDuration } from "../core/duration.js";
import { GwardenError } from "../core/error.js";
import { numberFlag } from "./argv.js";

const DEFAULT_URL = "http://127.0.0.1:9191";
const DEFAULT_INTERVAL = "2s";
const MIN_INTERVAL_MS = 200;

export default defineCommand({
  meta: {
    name: "monitor",
    description:
      "Live terminal dashboard: workers' CPU and memory, the last minute's events, a health verdict",
  },
  args: {
    url: { type: "string", description: `A running \`gwarden run\` (default ${DEFAULT_URL})` },
    pid: {
      type: "string",
      description: "Attach to a gunicorn master by pid through /proc (no gwarden needed in front)",
    },
    interval: { type: "string", description: `Refresh interval (default ${DEFAULT_INTERVAL})` },
    token: { type: "string", description: "Bearer token of the API (also GWARDEN_TOKEN)" },
    once: { type: "boolean", description: "Print one plain snapshot and exit" },
    json: { type: "boolean", description: "Print the view (snapshot, events, verdict) as one JSON document" },
  },
  async run({ args }) {
    if (args.url !== undefined && args.pid !== undefined) {
      throw new GwardenError("E_USAGE", "Give either --url or --pid, not both", {
        hint: "--url reads a gwarden run; --pid reads a bare gunicorn master",
      });
    }
    const intervalMs = parseDuration(args.interval ?? DEFAULT_INTERVAL, "`--interval`");
    if (intervalMs < MIN_INTERVAL_MS)
      throw new GwardenError(
        "E_DURATION",
        `Expected \`--interval\` to be at least 200ms, got \`${args.interval}\``,
      );
    const pid = numberFlag(args.pid, "--pid", { min: 1, integer: true });
    const source =
      pid !== undefined
        ? (await import("../adapters/monitor/pid-source.js")).createPidSource(pid)
        : (await import("../adapters/monitor/api-source.js")).createApiSource(
            args.url ?? DEFAULT_URL,
            args.token ?? process.env.GWARDEN_TOKEN ?? null,
          );
    const { runMonitor } = await import("../adapters/monitor/loop.js");
    process.exitCode = await runMonitor({
      source,
      intervalMs,
      once: args.once === true,
      json: args.json === true,
    });
  },
});
