/**
 * `gwarden profile [flags] -- gunicorn <app> [args]`: boots the app three times under the installed
 * gunicorn (plain, preload, preload with 3 workers and gc.freeze), measures import time and memory,
 * times the requests against the workers' CPU (concurrency 1 and 3), retires one preloaded worker to
 * measure its exit spike, decides whether preload is safe, writes the profile.
 */
import { defineVerb } from "../core/cli/verb.js";
import { GwardenError } from "../core/error.js";
import { resolvePosix } from "../core/posix-path.js";
import { appIdentity, parseGunicornArgv } from "../core/profile/app-identity.js";
import { buildProfile, PROFILE_RUNS } from "../core/profile/build-profile.js";
import type { RequestSpec } from "../core/profile/request-spec.js";
import { renderProfileSummary } from "../core/profile/summary.js";
import type { ProfileRunResult } from "../core/profile/types.js";
import { gunicornVersion, type GunicornProcess } from "../adapters/run/gunicorn-process.js";
import { profileSandbox, timeEachRequest, timeMixedThenRetire } from "../adapters/profile/measurements.js";
import { runProfileMode, type ProfileRunOptions } from "../adapters/profile/profile-runs.js";
import { writeProfileFile } from "../adapters/profile/profile-file.js";
import { requestsFromArgs } from "../adapters/profile/request-files.js";
import { stopOnSignals } from "../adapters/profile/stop-on-signals.js";
import { detectResources } from "../adapters/resources/resources.js";
import type { Sandbox } from "../adapters/sandbox/cgroup-sandbox.js";
import { REQUEST_FLAGS } from "../core/cli/request-flags.js";

const DEFAULT_OUT = ".gwarden/profile.json";

/**
 * A warm-up request's deadline: 15 s in the plain run; in the preload runs 20 × the slowest URL's
 * median there, within 3–15 s, so a request stuck on a shared connection fails fast.
 */
function warmupTimeoutMs(single: ProfileRunResult | undefined): number {
  if (!single) return 15_000;
  const slowest = Math.max(0, ...single.urls.map((u) => u.ms ?? 0));
  return Math.min(15_000, Math.max(3_000, Math.round(20 * slowest)));
}

/** What each run measures besides memory: CPU timing (plain, preload-shared), the exit spike (preload-shared, in a cgroup when it can). */
function measureStep(
  mode: ProfileRunResult["mode"],
  requests: RequestSpec[],
  sandbox: Sandbox | null,
): Pick<ProfileRunOptions, "measure" | "wrap"> {
  if (mode === "single") return { measure: timeEachRequest(requests) };
  if (mode !== "preload-shared") return {};
  return {
    measure: timeMixedThenRetire(requests, sandbox),
    ...(sandbox === null ? {} : { wrap: (argv: string[]) => sandbox.wrap(argv) }),
  };
}

export default defineVerb({
  name: "profile",
  summary:
    "Boot the app under gunicorn (plain and with preload), measure import time, memory, CPU per request and the exit spike, write a profile",
  command: "required",
  flags: {
    ...REQUEST_FLAGS,
    out: {
      type: "string",
      placeholder: "FILE",
      default: DEFAULT_OUT,
      description: "Where to write the profile",
    },
    json: { type: "boolean", description: "Print the profile as JSON instead of a summary" },
    "boot-timeout": {
      type: "duration",
      default: "120s",
      min: "1s",
      description: "How long to wait for the workers to be ready",
    },
  },
  examples: [
    {
      command: "gwarden profile --url /health --url /db -- gunicorn --chdir example app:app",
      comment: "writes .gwarden/profile.json, which plan and run read",
    },
    {
      command:
        "gwarden profile --url / --url 'POST /login' --data '{\"user\":\"a\"}' --header 'Content-Type: application/json' -- gunicorn --chdir example app:app",
      comment: "the app's costly paths count too",
    },
  ],
  async run({ args, command: rest, rawArgs }) {
    const cwd = process.cwd();
    const own = rawArgs.includes("--") ? rawArgs.slice(0, rawArgs.indexOf("--")) : rawArgs;
    const requests = requestsFromArgs(own, args.requests, cwd);
    const command = parseGunicornArgv(rest);
    if (command.spec === null && command.userConfig === null) {
      throw new GwardenError("E_USAGE", "Expected the app (module:callable) in the gunicorn command", {
        hint: "e.g. -- gunicorn --chdir example app:app",
      });
    }
    const userConfig =
      command.userConfig === null || command.userConfig.startsWith("python:")
        ? command.userConfig
        : resolvePosix(cwd, command.userConfig.replace(/^file:/, ""));
    const version = await gunicornVersion(command.launcher);

    let current: GunicornProcess | null = null;
    const release = stopOnSignals(() => current);
    const runs: ProfileRunResult[] = [];
    let python: string | null = null;
    let workerClass: string | null = null;
    const sandbox = await profileSandbox();
    try {
      for (const spec of PROFILE_RUNS) {
        process.stderr.write(
          `gwarden profile: ${spec.mode} (${spec.workers} worker${spec.workers === 1 ? "" : "s"}${spec.preload ? ", --preload" : ""})\n`,
        );
        const outcome = await runProfileMode(spec, {
          command,
          userConfig,
          requests,
          cwd,
          bootTimeoutMs: args["boot-timeout"],
          rounds: 3,
          requestTimeoutMs: warmupTimeoutMs(runs[0]),
          onStart: (p) => (current = p),
          ...measureStep(spec.mode, requests, sandbox),
        });
        current = null;
        if (spec.mode === "single" && outcome.failure) throw outcome.failure;
        python ??= outcome.python;
        workerClass ??= outcome.workerClass;
        runs.push(outcome.result);
      }
    } finally {
      release();
      await sandbox?.remove();
    }

    const resources = detectResources();
    const profile = buildProfile({
      createdAt: new Date().toISOString(),
      argv: [...command.launcher, ...command.args, ...(command.spec === null ? [] : [command.spec])],
      identity: appIdentity(rest, cwd),
      chdir: command.chdir,
      gunicorn: { version, python: python ?? "unknown", workerClass: workerClass ?? "sync" },
      requests,
      runs,
      host: {
        cpus: resources.cpu.effective,
        memoryLimitBytes: resources.memory.limitBytes,
      },
    });
    const out = resolvePosix(cwd, args.out);
    writeProfileFile(out, profile);
    process.stdout.write(
      args.json ? `${JSON.stringify(profile, null, 2)}\n` : renderProfileSummary(profile, out),
    );
  },
});
