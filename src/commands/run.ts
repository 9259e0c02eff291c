/**
 * `gwarden run [options] -- gunicorn <app> [gunicorn args]`: plan, launch gunicorn with the
 * instrumented config, watch every worker, enforce the boot deadline, confirm OOM kills, forward
 * signals, restart with backoff, serve /metrics, /api/state, /api/events and /healthz. This file parses
 * options and wires; the runtime (src/adapters/run/runner.ts) is loaded only once the options are good.
 */
import { defineVerb } from "../core/cli/verb.js";
import { PLANNING_FLAGS } from "../core/cli/planning-flags.js";
import { checkListenAuth, listeningLine, parseListen } from "../core/serve/listen.js";

const DEFAULT_LISTEN = "127.0.0.1:9191";
const DEFAULT_EVENTS = ".gwarden/events.jsonl";

export default defineVerb({
  name: "run",
  summary:
    "Supervise gunicorn: plan, launch, watch every worker, boot deadline, OOM protection, restarts, /metrics",
  command: "required",
  flags: {
    "keep-args": {
      type: "boolean",
      description: "Keep sizing flags given on the gunicorn command line (warns when risky)",
    },
    listen: {
      type: "string",
      placeholder: "ADDR",
      default: DEFAULT_LISTEN,
      description: "Where to serve the dashboard, /metrics and the API: PORT, HOST:PORT or [IPV6]:PORT",
    },
    token: {
      type: "string",
      placeholder: "TOKEN",
      description:
        "Bearer token for /metrics and /api/* (also GWARDEN_TOKEN); needed to listen beyond loopback",
    },
    "allow-unauthenticated": {
      type: "boolean",
      description: "Listen beyond loopback without a token (only where just trusted peers can connect)",
    },
    "no-http": { type: "boolean", description: "Serve nothing over HTTP" },
    adaptive: {
      type: "boolean",
      default: true,
      negatable: true,
      description:
        "Adaptive control: scale on load and memory pressure, recycle bloated workers; --no-adaptive keeps the plan fixed",
    },
    "recycle-at": {
      type: "size",
      description: "Recycle a worker whose private memory passes this (default: the plan's budget)",
    },
    events: {
      type: "string",
      placeholder: "FILE",
      default: DEFAULT_EVENTS,
      description: 'Append-only JSONL event log; "" for none',
    },
    "sample-interval": {
      type: "duration",
      default: "1s",
      min: "100ms",
      description: "How often to sample /proc and the cgroup",
    },
    "boot-deadline": {
      type: "duration",
      description: "Kill a worker not ready after this long (default: the plan's)",
    },
    "max-restarts": {
      type: "number",
      integer: true,
      min: 0,
      description: "Fast master failures in a row restarted before giving up (default 5)",
    },
    ...PLANNING_FLAGS,
  },
  examples: [
    {
      command: "gwarden run -- gunicorn --chdir example app:app",
      comment: "plan, launch, supervise until Ctrl-C",
    },
    {
      command: "gwarden run --listen 127.0.0.1:9191 --token s3cret -- gunicorn wsgi:app -w 2 --timeout 15",
      comment: "your sizing flags are dropped (the plan's win) and each one is named; --keep-args keeps them",
    },
    {
      command: "gwarden run --listen 0.0.0.0:9191 --token s3cret --memory 512M -- gunicorn wsgi:app",
      comment: "serve the API beyond this machine (a token is required there), and plan for 512 MiB",
    },
  ],
  async run({ args, command: rest }) {
    const noHttp = args["no-http"];
    const listen = args.listen;
    const token = args.token ?? process.env.GWARDEN_TOKEN ?? null;
    const sampleIntervalMs = args["sample-interval"];
    const bootDeadlineMs = args["boot-deadline"] ?? null;
    const maxRestarts = args["max-restarts"];
    if (!noHttp) checkListenAuth(parseListen(listen), token, args["allow-unauthenticated"]);
    const adaptive = args.adaptive;
    const recycleBytes = args["recycle-at"];

    const cwd = process.cwd();
    const { prepareRun } = await import("./run-setup.js");
    const setup = await prepareRun({
      args,
      rest,
      cwd,
      keepArgs: args["keep-args"],
      bootDeadlineMs,
      eventsPath: args.events,
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
      onListening: (url) => process.stderr.write(`gwarden: ${listeningLine(url, token)}\n`),
    });
    process.exitCode = code;
  },
});
