/**
 * `gwarden profile [--url PATH|'METHOD PATH' [--data D] [--header H]]... [--requests FILE] [--out FILE]
 * [--json] [--boot-timeout S] -- gunicorn <app> [args]`: boots the app three times under the installed
 * gunicorn (plain, preload, preload with 3 workers and gc.freeze), measures import time and memory,
 * times the requests against the workers' CPU (concurrency 1 and 3), retires one preloaded worker to
 * measure its exit spike, decides whether preload is safe, writes the profile.
 */
import { defineCommand } from "citty";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { GwardenError } from "../core/error.js";
import { appIdentity, parseGunicornArgv } from "../core/profile/app-identity.js";
import { buildProfile, PROFILE_RUNS } from "../core/profile/build-profile.js";
import { renderProfileSummary } from "../core/profile/summary.js";
import type { ProfileRunResult } from "../core/profile/types.js";
import { gunicornVersion, type GunicornProcess } from "../adapters/run/gunicorn-process.js";
import { runProfileMode, type ProfileRunOptions } from "../adapters/profile/profile-runs.js";
import type { Sandbox } from "../adapters/sandbox/cgroup-sandbox.js";
import type { RequestSpec } from "../core/profile/request-spec.js";
import { detectResources } from "../adapters/resources/resources.js";
import { numberFlag, splitAtDoubleDash } from "./argv.js";
import { REQUEST_FLAGS_HELP, requestsFromArgs } from "./request-flags.js";
import { profileSandbox, timeEachRequest, timeMixedThenRetire } from "../adapters/profile/measurements.js";

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

/** Stops the running gunicorn on Ctrl-C / TERM, then exits with 128 + signal. */
function stopOnSignals(current: () => GunicornProcess | null): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`gwarden: ${signal}, stopping gunicorn\n`);
    const running = current();
    const code = signal === "SIGINT" ? 130 : 143;
    if (!running) process.exit(code);
    void running.stop(2_000).finally(() => process.exit(code));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
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

export default defineCommand({
  meta: {
    name: "profile",
    description:
      "Boot the app under gunicorn (plain and with preload), measure import time and memory, write a profile",
  },
  args: {
    url: { type: "string", description: REQUEST_FLAGS_HELP.url },
    data: { type: "string", description: REQUEST_FLAGS_HELP.data },
    header: { type: "string", description: REQUEST_FLAGS_HELP.header },
    requests: { type: "string", description: REQUEST_FLAGS_HELP.requests },
    out: { type: "string", description: `Where to write the profile (default ${DEFAULT_OUT})` },
    json: { type: "boolean", description: "Print the profile as JSON instead of a summary" },
    "boot-timeout": {
      type: "string",
      description: "Seconds to wait for the workers to be ready (default 120)",
    },
  },
  async run({ rawArgs, args }) {
    const { own, rest } = splitAtDoubleDash(rawArgs);
    if (rest.length === 0) {
      throw new GwardenError("E_USAGE", "Expected the gunicorn command after `--`", {
        hint: "gwarden profile --url /health -- gunicorn --chdir example app:app",
      });
    }
    const cwd = process.cwd();
    const requests = requestsFromArgs(own, cwd);
    const bootTimeout = numberFlag(args["boot-timeout"], "--boot-timeout", { min: 1 }) ?? 120;
    const command = parseGunicornArgv(rest);
    if (command.spec === null && command.userConfig === null) {
      throw new GwardenError("E_USAGE", "Expected the app (module:callable) in the gunicorn command", {
        hint: "e.g. -- gunicorn --chdir example app:app",
      });
    }
    const userConfig =
      command.userConfig === null || command.userConfig.startsWith("python:")
        ? command.userConfig
        : resolve(cwd, command.userConfig.replace(/^file:/, ""));
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
          bootTimeoutMs: bootTimeout * 1000,
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
        cpus: resources.cpu.effective ?? availableParallelism(),
        memoryLimitBytes: resources.memory.limitBytes,
      },
    });
    const out = resolve(cwd, args.out ?? DEFAULT_OUT);
    try {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(profile, null, 2)}\n`);
    } catch (error) {
      throw new GwardenError("E_IO", `Cannot write the profile to ${out}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    process.stdout.write(
      args.json ? `${JSON.stringify(profile, null, 2)}\n` : renderProfileSummary(profile, out),
    );
  },
});
