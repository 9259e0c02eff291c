/**
 * `gwarden lab [options] -- gunicorn [--chdir DIR] module:callable`: profile the app for real, then run
 * it under real memory limits (one cgroup per tier and config) through the scenarios, with gunicorn's
 * common default, gwarden's plan, the user's own flags and a grid; write matrix.csv, summary.md and
 * report.html into --out. Progress on stderr; partial results survive Ctrl-C.
 */
import { defineCommand } from "citty";
import { join, resolve } from "node:path";
import { GwardenError } from "../core/error.js";
import type { PostgresTemplate } from "../adapters/lab/postgres.js";
import { appSizes } from "../core/lab/app-sizes.js";
import {
  DEFAULT_TIERS,
  QUICK_SCENARIOS,
  QUICK_TIERS,
  customConfig,
  expandMatrix,
  parseConfigs,
  parseIntList,
  parseScenarios,
  parseTiers,
} from "../core/lab/matrix.js";
import { readySeconds, type ScenarioSettings } from "../core/lab/scenarios.js";
import { SCENARIOS, type LabRunData } from "../core/lab/types.js";
import { parseGunicornArgv } from "../core/argv/gunicorn-argv.js";
import { numberFlag, repeatedFlag, splitAtDoubleDash } from "./argv.js";
import { REQUEST_FLAGS_HELP, requestsFromArgs } from "./request-flags.js";
import { requestLabel } from "../core/profile/request-spec.js";

const DEFAULT_OUT = "gwarden-lab";

function envPairs(own: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of repeatedFlag(own, "--env")) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new GwardenError("E_USAGE", `Expected --env KEY=VALUE, got \`${pair}\``);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function pathFlag(value: string | undefined, name: string): string | null {
  if (value === undefined || value === "") return null;
  if (!value.startsWith("/"))
    throw new GwardenError("E_USAGE", `Expected ${name} to be a path starting with /, got \`${value}\``);
  return value;
}

/** `gwarden lab ...` as one shell-ready line, for the outputs. */
function commandLine(rawArgs: readonly string[]): string {
  const quote = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`);
  return ["gwarden", "lab", ...rawArgs].map(quote).join(" ");
}

export default defineCommand({
  meta: {
    name: "lab",
    description:
      "Run the app under real memory limits and scenarios with the default config, gwarden's plan and alternatives; write matrix.csv, summary.md, report.html",
  },
  args: {
    tiers: {
      type: "string",
      description: `Memory tiers (default ${DEFAULT_TIERS.join(",")}; --quick: ${QUICK_TIERS.join(",")})`,
    },
    cpus: { type: "string", description: "CPU quota of every sandbox (default 1)" },
    configs: {
      type: "string",
      description: "default,planned,custom,grid (default: default,planned, + custom with --custom)",
    },
    custom: { type: "string", description: 'Your own gunicorn flags as a config, e.g. "-w 2 --timeout 15"' },
    scenarios: {
      type: "string",
      description: `Scenarios (default all: ${SCENARIOS.join(",")}; --quick: ${QUICK_SCENARIOS.join(",")})`,
    },
    quick: {
      type: "boolean",
      description: "A minutes-long smoke matrix (2 tiers, 4 scenarios, short loads)",
    },
    out: { type: "string", description: `Output directory (default ${DEFAULT_OUT})` },
    url: { type: "string", description: REQUEST_FLAGS_HELP.url },
    data: { type: "string", description: REQUEST_FLAGS_HELP.data },
    header: { type: "string", description: REQUEST_FLAGS_HELP.header },
    requests: { type: "string", description: REQUEST_FLAGS_HELP.requests },
    repeat: {
      type: "string",
      description:
        "Run each tier's heavy-load cell N times, configs alternating, each on a fresh instance; report medians and spreads (default 1)",
    },
    env: {
      type: "string",
      description:
        "KEY=VALUE for the app, repeatable; {instance} in VALUE becomes <tier>-<config> (e.g. a fresh SQLite file per instance)",
    },
    "health-url": { type: "string", description: "Health-check path (default the first --url)" },
    "hog-url": {
      type: "string",
      description:
        "A path that allocates memory, {limit_mib} = the tier in MiB (OOM scenario; default with EXAMPLE_FAULTS=1: /hog?mb={limit_mib})",
    },
    "leak-url": {
      type: "string",
      description:
        "A path that leaks memory (sustained scenario; default with EXAMPLE_FAULTS=1: /leak?kb=16)",
    },
    "grid-workers": { type: "string", description: "Grid workers (default 1,2,3,4)" },
    "grid-threads": { type: "string", description: "Grid threads (default 1,4)" },
    profile: { type: "string", description: "Use this profile file instead of profiling the app" },
    "db-on-box": {
      type: "boolean",
      description:
        "A private PostgreSQL inside each sandbox, counted against the tier (planned: the plan's settings; others: PostgreSQL's defaults); the app gets its URL as DATABASE_URL, or wherever --env says {database_url}",
    },
    sandbox: { type: "string", description: "cgroup (default) or docker" },
    load: { type: "string", description: "Load generator: wrk (default when installed) or autocannon" },
  },
  async run({ rawArgs, args }) {
    const { own, rest } = splitAtDoubleDash(rawArgs);
    if (rest.length === 0)
      throw new GwardenError("E_USAGE", "Expected the gunicorn command after `--`", {
        hint: "gwarden lab --quick -- gunicorn --chdir example app:app",
      });
    const sandbox = args.sandbox ?? "cgroup";
    if (sandbox !== "cgroup" && sandbox !== "docker")
      throw new GwardenError("E_USAGE", `Expected --sandbox cgroup or docker, got \`${sandbox}\``);
    if (sandbox === "docker") {
      const { dockerEngineAvailable } = await import("../adapters/sandbox/docker-engine.js");
      throw new GwardenError(
        "E_USAGE",
        dockerEngineAvailable()
          ? "--sandbox docker is not implemented yet: use the default cgroup sandbox"
          : "--sandbox docker needs a Docker engine, and none answers here (`docker info` failed)",
        {
          hint: "use --sandbox cgroup (real cgroup v1/v2 memory and CPU limits; needs root or a delegated subtree)",
        },
      );
    }
    const quick = args.quick === true;
    const command = parseGunicornArgv(rest);
    if (command.spec === null)
      throw new GwardenError("E_USAGE", "Expected the app (module:callable) in the gunicorn command", {
        hint: "e.g. -- gunicorn --chdir example app:app",
      });
    const tiers = parseTiers(args.tiers ?? (quick ? QUICK_TIERS : DEFAULT_TIERS).join(","));
    const cpus = numberFlag(args.cpus, "--cpus", { min: 0.01 }) ?? 1;
    const custom = args.custom ?? null;
    if (custom !== null) customConfig(custom);
    const configs = parseConfigs(
      args.configs ?? (custom === null ? "default,planned" : "default,planned,custom"),
    );
    if (configs.includes("custom") && custom === null)
      throw new GwardenError("E_USAGE", '--configs custom needs --custom "<gunicorn flags>"');
    const scenarios = parseScenarios(args.scenarios ?? (quick ? QUICK_SCENARIOS : SCENARIOS).join(","));
    const cwd = process.cwd();
    const requests = requestsFromArgs(own, cwd);
    const urls = requests.map(requestLabel);
    const repeat = numberFlag(args.repeat, "--repeat", { min: 1, integer: true }) ?? 1;
    const env = envPairs(own);
    const faults = (env.EXAMPLE_FAULTS ?? process.env.EXAMPLE_FAULTS) === "1";
    const settings: ScenarioSettings = {
      quick,
      urls,
      requests,
      healthUrl: pathFlag(args["health-url"], "--health-url") ?? requests[0]!.path,
      hogUrl: pathFlag(args["hog-url"], "--hog-url") ?? (faults ? "/hog?mb={limit_mib}" : null),
      leakUrl: pathFlag(args["leak-url"], "--leak-url") ?? (faults ? "/leak?kb=16" : null),
    };
    const grid = {
      workers: parseIntList(args["grid-workers"] ?? "1,2,3,4", "--grid-workers"),
      threads: parseIntList(args["grid-threads"] ?? "1,4", "--grid-threads"),
    };
    const outDir = resolve(cwd, args.out ?? DEFAULT_OUT);
    const say = (line: string): void => void process.stderr.write(`${line}\n`);

    const { gunicornVersion } = await import("../adapters/run/gunicorn-process.js");
    const { profileApp, readProfile } = await import("../adapters/lab/profile.js");
    const { handleInterrupts, interruptTargets, runLab } = await import("../adapters/lab/runner.js");
    const { launchFor, planAt } = await import("../adapters/lab/launch.js");
    const { setLoadDriver } = await import("../adapters/lab/load.js");
    const { wrkAvailable } = await import("../adapters/lab/load-wrk.js");
    const { userConfigFor } = await import("./plan-setup.js");
    if (args.load !== undefined && args.load !== "wrk" && args.load !== "autocannon")
      throw new GwardenError("E_USAGE", `Expected --load wrk or autocannon, got \`${args.load}\``);
    const loadDriver =
      args.load === "autocannon" || (args.load === undefined && !wrkAvailable()) ? "autocannon" : "wrk";
    if (loadDriver === "wrk" && !wrkAvailable())
      throw new GwardenError("E_USAGE", "--load wrk: wrk is not installed", {
        hint: "apt-get install wrk, or --load autocannon",
      });
    setLoadDriver(loadDriver);
    const version = await gunicornVersion(command.launcher, { ...process.env, ...env });

    const data: LabRunData = {
      command: commandLine(rawArgs),
      startedAt: new Date().toISOString(),
      cpus,
      quick,
      repeat,
      gunicornVersion: version,
      sizes: null,
      instances: [],
      cells: [],
      traces: [],
      notes: [],
      complete: false,
    };
    const interrupts = handleInterrupts(outDir, data, say);
    const postgres =
      args["db-on-box"] === true
        ? (await import("../adapters/lab/postgres.js")).preparePostgresTemplate()
        : null;
    try {
      let profile;
      const profilePath = args.profile ? resolve(cwd, args.profile) : join(outDir, "profile.json");
      if (args.profile) profile = readProfile(profilePath);
      else {
        say(`gwarden lab: profiling the app (gwarden profile) into ${profilePath}`);
        profile = await profileWith(postgres, env, (appEnv) =>
          profileApp({
            out: profilePath,
            requests,
            command: rest,
            env: { ...process.env, ...appEnv },
            cwd,
            onStart: (child) => (interruptTargets.child = child),
          }),
        );
        interruptTargets.child = null;
      }
      data.sizes = appSizes(profile);
      settings.readySeconds = readySeconds(settings, profile.importSeconds);
      const ctx = {
        launcher: command.launcher,
        appArgs: [...command.args, command.spec],
        userConfig: userConfigFor(rest, cwd),
        env,
        cwd,
        cpus,
        profile,
        profilePath,
        eventsDir: join(outDir, "gwarden-run"),
        postgres,
        gunicornVersion: version,
      };
      const specs = expandMatrix({
        tiers,
        cpus,
        configs,
        scenarios,
        custom,
        grid: { ...grid, preload: profile.preload.safe },
        planFor: (tier) => planAt(ctx, tier),
        sizes: data.sizes,
        repeat,
      });
      data.instances = specs.map((s) => ({ tierBytes: s.tierBytes, config: s.config }));
      data.notes.push(
        loadDriver === "wrk"
          ? "Load: wrk (in a child process, outside the sandbox)."
          : "Load: autocannon in a child node process (wrk is not installed). autocannon counts spurious errors and inflates latency against sync workers that close every connection: read the figures of sync configs with care.",
      );
      data.notes.push(
        "The planned config runs as `gwarden run` inside the sandbox, as in production: the supervisor's own memory counts against the limit, it plans from the profile and the limit it detects, and its adaptive control, recycling and OOM handling are part of the figures (its event logs: gwarden-run/).",
      );
      if (postgres !== null)
        data.notes.push(
          "Database on the box: each instance's own PostgreSQL runs inside its sandbox, counted against the tier; the planned config's server has the plan's settings, the others PostgreSQL's defaults (shared_buffers 128 MB, max_connections 100).",
        );
      if (!profile.preload.safe)
        data.notes.push(`Preload was not tried in the grid: ${profile.preload.reason}`);
      for (const s of scenarios) {
        if (s === "oom" && settings.hogUrl === null)
          data.notes.push("The OOM scenario was skipped: give --hog-url (a path that allocates memory).");
        if (s === "sustained" && settings.leakUrl === null)
          data.notes.push("The sustained scenario was skipped: give --leak-url (a path that leaks memory).");
      }
      say(
        `gwarden lab: ${specs.length} instance(s), ${specs.reduce((n, s) => n + s.scenarios.length, 0)} cell(s); outputs in ${outDir}`,
      );
      await runLab({ specs, launchFor: launchFor(ctx), settings, outDir, data, say }, interrupts.interrupted);
    } finally {
      interrupts.release();
      postgres?.remove();
    }
    const { renderSummary } = await import("../core/lab/summary.js");
    const { mergeRepeats } = await import("../core/lab/repeats.js");
    const summary = renderSummary({ ...data, cells: mergeRepeats(data.cells) });
    process.stdout.write(
      summary.slice(0, summary.indexOf("\n## All cells")) +
        `\nFull results: ${outDir}/summary.md, matrix.csv, report.html\n`,
    );
  },
});

/** Runs the profile, with a PostgreSQL of its own (outside any limit) when the lab puts one on the box. */
async function profileWith<T>(
  template: PostgresTemplate | null,
  env: Record<string, string>,
  profile: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (template === null) return profile(env);
  const { startOnBoxPostgres } = await import("../adapters/lab/postgres.js");
  const { withDatabaseUrl } = await import("../adapters/lab/launch.js");
  const pg = await startOnBoxPostgres({
    template,
    wrap: (argv) => [...argv],
    settings: null,
    label: "the profile",
  });
  try {
    return await profile(withDatabaseUrl(env, pg.url));
  } finally {
    await pg.stop();
  }
}
