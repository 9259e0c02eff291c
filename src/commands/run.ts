/**
 * `gwarden run [options] -- gunicorn <app> [gunicorn args]`: plan, launch gunicorn with the
 * instrumented config, watch every worker, enforce the boot deadline, confirm OOM kills, forward
 * signals, restart with backoff, serve /metrics, /api/state, /api/events and /healthz. This file parses
 * options and wires; the runtime (src/adapters/run/runner.ts) is loaded only once the options are good.
 */
import { defineCommand } from "citty";
import { GwardenError } from "../core/error.js";
import { parseDuration } from "../core/duration.js";
import { numberFlag, splitAtDoubleDash } from "./argv.js";

const DEFAULT_LISTEN = "127.0.0.1:9191";
const DEFAULT_EVENTS = ".gwarden/events.jsonl";
const DEFAULT_SAMPLE_INTERVAL = "1s";
const MIN_SAMPLE_INTERVAL_MS = 100;

function durationFlag(value: string | undefined, name: string, fallback: string): number {
  return parseDuration(value === undefined || value === "" ? fallback : value, `\`${name}\``);
}

export default defineCommand({
  meta: {
    name: "run",
    description:
      "Supervise gunicorn: plan, launch, watch every worker, boot deadline, OOM protection, restarts, /metrics",
  },
  args: {
    "keep-args": {
      type: "boolean",
      description: "Keep sizing flags given on the gunicorn command line (warns when risky)",
    },
    listen: {
      type: "string",
      description: `HTTP endpoint address (default ${DEFAULT_LISTEN}; PORT, HOST:PORT, [IPV6]:PORT)`,
    },
    token: { type: "string", description: "Bearer token for /metrics and /api/* (also GWARDEN_TOKEN)" },
    "no-http": { type: "boolean", description: "No HTTP endpoint" },
    adaptive: {
      type: "boolean",
      description:
        "Adaptive control: scale on load and memory pressure, recycle bloated workers (default on; --no-adaptive keeps the plan fixed)",
    },
    "recycle-at": {
      type: "string",
      description: "Recycle a worker whose private memory passes this (default: the plan's budget)",
    },
    events: { type: "string", description: `JSONL event log (default ${DEFAULT_EVENTS}; "" for none)` },
    "sample-interval": {
      type: "string",
      description: `How often to sample /proc and the cgroup (default ${DEFAULT_SAMPLE_INTERVAL})`,
    },
    "boot-deadline": {
      type: "string",
      description: "Kill a worker not ready after this long (default: the plan's)",
    },
    "max-restarts": {
      type: "string",
      description: "Fast master failures in a row restarted before giving up (default 5)",
    },
    profile: { type: "string", description: "Profile file (default .gwarden/profile.json when present)" },
    memory: { type: "string", description: "What-if memory limit (512M, 1G)" },
    cpus: { type: "string", description: "What-if CPUs (1, 0.5)" },
    "db-on-box": { type: "boolean", description: "PostgreSQL runs on this box" },
    "low-memory": { type: "boolean", description: "Survival over throughput (also LOW_MEMORY_MODE=true)" },
    "supervisor-outside": { type: "boolean", description: "gwarden runs outside the app's cgroup" },
    "no-threads": { type: "boolean", description: "Never use gthread" },
    "max-connections": { type: "string", description: "PostgreSQL max_connections (default 100)" },
  },
  async run({ rawArgs, args }) {
    const { own, rest } = splitAtDoubleDash(rawArgs);
    if (rest.length === 0) {
      throw new GwardenError("E_USAGE", "`gwarden run` needs the gunicorn command after `--`", {
        hint: "gwarden run -- gunicorn --chdir example app:app",
      });
    }
    const noHttp = args["no-http"] === true || own.includes("--no-http");
    const listen = args.listen !== undefined && args.listen !== "" ? args.listen : DEFAULT_LISTEN;
    const token = args.token ?? process.env.GWARDEN_TOKEN ?? null;
    const sampleIntervalMs = durationFlag(
      args["sample-interval"],
      "--sample-interval",
      DEFAULT_SAMPLE_INTERVAL,
    );
    if (sampleIntervalMs < MIN_SAMPLE_INTERVAL_MS)
      throw new GwardenError(
        "E_DURATION",
        `Expected \`--sample-interval\` to be at least 100ms, got \`${args["sample-interval"]}\``,
      );
    const bootDeadlineMs = args["boot-deadline"]
      ? durationFlag(args["boot-deadline"], "--boot-deadline", "")
      : null;
    const maxRestarts = numberFlag(args["max-restarts"], "--max-restarts", { min: 0, integer: true });
    if (!noHttp) (await import("../core/serve/listen.js")).parseListen(listen);
    const adaptive = args.adaptive !== false && !own.includes("--no-adaptive");
    const recycleBytes = args["recycle-at"]
      ? (await import("../core/size.js")).parseSize(args["recycle-at"], "`--recycle-at`")
      : undefined;

    const cwd = process.cwd();
    const { prepareRun } = await import("./run-setup.js");
    const setup = await prepareRun({
      args,
      own,
      rest,
      cwd,
      keepArgs: args["keep-args"] === true,
      bootDeadlineMs,
      eventsPath: args.events ?? DEFAULT_EVENTS,
      adaptive,
      ...(recycleBytes === undefined ? {} : { recycleBytes }),
    });
    // systemd (Type=notify): created before gunicorn starts, it takes NOTIFY_SOCKET out of the environment
    // gunicorn inherits (src/adapters/run/sd-notify.ts); null outside a Type=notify unit.
    const sd = (await import("../adapters/run/sd-notify.js")).createSdNotifier({
      onError: (message) => process.stderr.write(`gwarden: warning: ${message}\n`),
    });
    const { runSupervisor } = await import("../adapters/run/runner.js");
    const { openUpstreamChannel } = await import("../adapters/run/hook-channel.js");
    const { DEFAULT_RESTART_POLICY } = await import("../core/run/restart-policy.js");
    const { adaptiveConfigFromPlan } = await import("../core/adaptive/config.js");
    const code = await runSupervisor({
      config: {
        plan: setup.plan,
        bootDeadlineMs: setup.plan.bootDeadline * 1000,
        gracefulTimeoutMs: setup.plan.gracefulTimeout * 1000,
        restartPolicy: { ...DEFAULT_RESTART_POLICY, ...(maxRestarts === undefined ? {} : { maxRestarts }) },
        adaptive: adaptive
          ? adaptiveConfigFromPlan(setup.plan, recycleBytes === undefined ? {} : { recycleBytes })
          : null,
        watchdogMs: sd?.watchdogIntervalMs ?? null,
      },
      launch: { launcher: setup.launcher, args: setup.args, conf: setup.conf, cwd, env: setup.env },
      sampleIntervalMs,
      eventLog: setup.eventLog,
      http: noHttp ? null : { listen, token },
      forwardRecord: openUpstreamChannel(),
      notify: sd === null ? null : (message) => sd.notify(message),
      onListening: (url) =>
        process.stderr.write(
          `gwarden: serving ${url}/metrics, /api/state, /api/events, /healthz${token ? " (bearer token required)" : ""}\n`,
        ),
    });
    process.exitCode = code;
  },
});
