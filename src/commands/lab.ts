/**
 * `gwarden lab [options] -- gunicorn [--chdir DIR] module:callable`: profile the app for real, then run
 * it under real memory limits (one cgroup per tier and config) through the scenarios, with gunicorn's
 * common default, gwarden's plan, the user's own flags and a grid; write matrix.csv, summary.md and
 * report.html into --out. Progress on stderr; partial results survive Ctrl-C.
 */
import { pickFlags } from "../core/cli/flags.js";
import { PLANNING_FLAGS } from "../core/cli/planning-flags.js";
import { defineVerb } from "../core/cli/verb.js";
import { GwardenError } from "../core/error.js";
import { resolvePosix } from "../core/posix-path.js";
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
import { shellQuote } from "../core/sandbox/shell-quote.js";
import { parseGunicornArgv } from "../core/argv/gunicorn-argv.js";
import { requestLabel } from "../core/profile/request-spec.js";
import { requestsFromArgs } from "../adapters/profile/request-files.js";
import { REQUEST_FLAGS } from "../core/cli/request-flags.js";

const DEFAULT_OUT = "gwarden-lab";
/** --sandbox vm: each tier boots a guest on a ~20x slower vCPU, so two VPS plans by default. */
const VM_TIERS = ["512M", "1G"];
/** --sandbox box: the least wait for every worker, as gwarden run's node and the app start ~20x slower there. */
const BOX_READY_SECONDS = 120;
/** --sandbox box: loads last 5 times longer, so the slow vCPU's first responses fall inside them. */
const BOX_LOAD_SCALE = 5;

function envPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
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
  return ["gwarden", "lab", ...rawArgs].map(shellQuote).join(" ");
}

export default defineVerb({
  name: "lab",
  summary:
    "Run the app under real memory limits and scenarios with the default config, gwarden's plan and alternatives; write matrix.csv, summary.md, report.html",
  command: "required",
  flags: {
    tiers: {
      type: "string",
      placeholder: "SIZES",
      description: `Memory tiers, comma-separated (default ${DEFAULT_TIERS.join(",")}; --quick: ${QUICK_TIERS.join(",")}; --sandbox vm: ${VM_TIERS.join(",")}, each the whole VM's RAM)`,
    },
    cpus: {
      type: "number",
      min: 0.01,
      description:
        "CPU quota of every sandbox, which the plan is made for (default 1); --sandbox vm: the guest's vCPUs",
    },
    configs: {
      type: "string",
      placeholder: "LIST",
      description: "default,planned,custom,grid (default: default,planned, + custom with --custom)",
    },
    custom: {
      type: "string",
      placeholder: "FLAGS",
      description: 'Your own gunicorn flags as a config, e.g. "-w 2 --timeout 15"',
    },
    scenarios: {
      type: "string",
      placeholder: "LIST",
      description: `Scenarios, comma-separated (default all: ${SCENARIOS.join(", ")}; --quick: ${QUICK_SCENARIOS.join(", ")})`,
    },
    quick: {
      type: "boolean",
      description: "A minutes-long smoke matrix (2 tiers, 4 scenarios, short loads)",
    },
    out: { type: "string", placeholder: "DIR", default: DEFAULT_OUT, description: "Output directory" },
    ...REQUEST_FLAGS,
    repeat: {
      type: "number",
      integer: true,
      min: 1,
      default: 1,
      description:
        "Run each tier's heavy-load cell N times, configs alternating, each on a fresh instance; report medians and spreads. With N ≥ 2, planned, the best passing grid layout and the default (where it passed) then meet in a run-off of N more alternated passes",
    },
    env: {
      type: "string",
      repeat: true,
      placeholder: "KEY=VALUE",
      description:
        "Environment of the app; {instance} in VALUE becomes <tier>-<config> (e.g. a fresh SQLite file per instance)",
    },
    "health-url": {
      type: "string",
      placeholder: "PATH",
      description: "Health-check path (default the first --url)",
    },
    "hog-url": {
      type: "string",
      placeholder: "PATH",
      description:
        "A path that allocates memory, {limit_mib} = the tier in MiB (OOM scenario; default with EXAMPLE_FAULTS=1: /hog?mb={limit_mib})",
    },
    "leak-url": {
      type: "string",
      placeholder: "PATH",
      description:
        "A path that leaks memory (sustained scenario; default with EXAMPLE_FAULTS=1: /leak?kb=16)",
    },
    "ready-seconds": {
      type: "number",
      min: 1,
      description:
        "How long each instance may take until every worker is ready (default: max(30 s, 10 × the app's import); --sandbox vm: at least 120 s, as node and the app start ~20x slower on the guest's vCPU)",
    },
    "grid-workers": { type: "string", placeholder: "LIST", default: "1,2,3,4", description: "Grid workers" },
    "grid-threads": { type: "string", placeholder: "LIST", default: "1,4", description: "Grid threads" },
    profile: {
      type: "string",
      placeholder: "FILE",
      description: "Use this profile file instead of profiling the app",
    },
    ...pickFlags(PLANNING_FLAGS, "db-on-box", "low-memory", "no-threads", "max-connections"),
    sandbox: {
      type: "enum",
      choices: ["cgroup", "vm", "box", "docker"],
      default: "cgroup",
      description:
        "Where each instance runs: cgroup (a memory cgroup per tier), vm (each tier a whole small VPS: a QEMU guest with that RAM, 1 vCPU, cgroup v2; needs qemu-system-x86 linux-image-amd64 busybox-static), box (the whole machine is the tier: what vm runs in each guest), or docker",
    },
    swap: {
      type: "string",
      placeholder: "SIZE",
      description: "--sandbox vm: swap of every box, e.g. 512M (default none)",
    },
    "swap-kind": {
      type: "enum",
      choices: ["disk", "zram"],
      default: "disk",
      description: "--sandbox vm: a swap disk, or zram (compressed RAM)",
    },
    "vcpu-mips": {
      type: "string",
      placeholder: "N",
      description:
        "--sandbox vm: a vCPU of fixed speed, about N million instructions per second on the guest's clock (QEMU icount; steps of 2×: 1000, 500, 250, 125, 62.5 ...), the same on any host under any load: a reproducible slow core (default: as fast as emulation runs here)",
    },
    load: {
      type: "enum",
      choices: ["wrk", "autocannon"],
      description: "Load generator (default wrk when installed, else autocannon)",
    },
  },
  notes: [
    "The planning flags shape gwarden's plan (the planned config runs `gwarden run` with the same flags); the memory is each tier's, the CPUs --cpus.",
    "With --db-on-box every instance gets a private PostgreSQL inside its sandbox, counted against the tier (the planned config with the plan's settings, the others with PostgreSQL's defaults); the app gets its URL as DATABASE_URL, or wherever --env says {database_url}.",
    "With --sandbox vm every tier is a whole small VPS: its RAM (the kernel and page cache count), optional swap, one slow vCPU, cgroup v2, no network; the lab runs inside each guest and the host folds the tiers into one report.",
  ],
  examples: [
    {
      command: "gwarden lab --quick --out /tmp/lab -- gunicorn --chdir example app:app",
      comment: "minutes: 256M and 512M",
    },
    {
      command:
        "gwarden lab --out /tmp/lab --configs default,planned,custom,grid --custom '-w 2 --timeout 15' --env EXAMPLE_FAULTS=1 --env EXAMPLE_BALLAST_MB=72 -- gunicorn --chdir example app:app",
    },
    {
      command:
        "gwarden lab --db-on-box --tiers 256M,512M,1G --out /tmp/lab-pg -- gunicorn --chdir example app:app",
    },
    {
      command:
        "gwarden lab --sandbox vm --tiers 512M,1G --swap 512M --configs default,planned --out /tmp/lab-vm -- gunicorn --chdir example app:app",
      comment: "each tier a whole VPS in a QEMU guest",
    },
  ],
  async run({ args, command: rest, rawArgs }) {
    const sandbox = args.sandbox;
    const own = rawArgs.includes("--") ? rawArgs.slice(0, rawArgs.indexOf("--")) : [...rawArgs];
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
    const quick = args.quick;
    const command = parseGunicornArgv(rest);
    if (command.spec === null)
      throw new GwardenError("E_USAGE", "Expected the app (module:callable) in the gunicorn command", {
        hint: "e.g. -- gunicorn --chdir example app:app",
      });
    const tiers = parseTiers(
      args.tiers ?? (sandbox === "vm" ? VM_TIERS : quick ? QUICK_TIERS : DEFAULT_TIERS).join(","),
    );
    const box = sandbox === "box" ? await import("../adapters/lab/box-run.js") : null;
    if (sandbox === "vm" && args.cpus !== undefined && !Number.isInteger(args.cpus))
      throw new GwardenError(
        "E_USAGE",
        `Expected \`--cpus\` to be a whole number of vCPUs with --sandbox vm, got \`${args.cpus}\``,
      );
    const cpus = box?.boxCpus() ?? args.cpus ?? 1;
    const custom = args.custom ?? null;
    if (custom !== null) customConfig(custom);
    const configs = parseConfigs(
      args.configs ?? (custom === null ? "default,planned" : "default,planned,custom"),
    );
    if (configs.includes("custom") && custom === null)
      throw new GwardenError("E_USAGE", '--configs custom needs --custom "<gunicorn flags>"');
    const scenarios = parseScenarios(args.scenarios ?? (quick ? QUICK_SCENARIOS : SCENARIOS).join(","));
    const cwd = process.cwd();
    const requests = requestsFromArgs(own, args.requests, cwd);
    const urls = requests.map(requestLabel);
    const repeat = args.repeat;
    const env = envPairs(args.env);
    const faults = (env.EXAMPLE_FAULTS ?? process.env.EXAMPLE_FAULTS) === "1";
    const settings: ScenarioSettings = {
      quick,
      urls,
      requests,
      healthUrl: pathFlag(args["health-url"], "--health-url") ?? requests[0]!.path,
      hogUrl: pathFlag(args["hog-url"], "--hog-url") ?? (faults ? "/hog?mb={limit_mib}" : null),
      leakUrl: pathFlag(args["leak-url"], "--leak-url") ?? (faults ? "/leak?kb=16" : null),
    };
    const readyFlag = args["ready-seconds"];
    if (readyFlag !== undefined) settings.readySeconds = readyFlag;
    else if (sandbox === "box") settings.readySeconds = BOX_READY_SECONDS;
    if (sandbox === "box") settings.loadScale = BOX_LOAD_SCALE;
    const grid = {
      workers: parseIntList(args["grid-workers"], "--grid-workers"),
      threads: parseIntList(args["grid-threads"], "--grid-threads"),
    };
    const outDir = resolvePosix(cwd, args.out);
    const say = (line: string): void => void process.stderr.write(`${line}\n`);

    const { gunicornVersion } = await import("../adapters/run/gunicorn-process.js");
    const { profileApp } = await import("../adapters/lab/profile.js");
    const { readProfileFile } = await import("../adapters/profile/profile-file.js");
    const { handleInterrupts, interruptTargets, runLab } = await import("../adapters/lab/runner.js");
    const { launchFor, planAt } = await import("../adapters/lab/launch.js");
    const { PAGE_CACHE_NOTE } = await import("../adapters/lab/page-cache.js");
    const { setLoadDriver } = await import("../adapters/load/load.js");
    const { wrkAvailable } = await import("../adapters/load/load-wrk.js");
    const { userConfigFor } = await import("./plan-setup.js");
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
    if (sandbox === "vm") {
      try {
        const { runVmLabCommand } = await import("../adapters/lab/vm-run.js");
        await runVmLabCommand({
          own,
          rest,
          tiers,
          vcpus: cpus,
          swap: args.swap,
          swapKind: args["swap-kind"],
          vcpuMips: args["vcpu-mips"],
          requests,
          env,
          cwd,
          outDir,
          data,
          say,
          interrupted: interrupts.interrupted,
        });
      } finally {
        interrupts.release();
      }
      data.complete = !interrupts.interrupted();
      const { writeLabOutputs } = await import("../adapters/lab/outputs.js");
      writeLabOutputs(outDir, data);
      return printSummary(data, outDir);
    }
    const postgres = args["db-on-box"]
      ? (await import("../adapters/lab/postgres.js")).preparePostgresTemplate()
      : null;
    try {
      let profile;
      const profilePath = args.profile
        ? resolvePosix(cwd, args.profile)
        : resolvePosix(outDir, "profile.json");
      if (args.profile) profile = readProfileFile(profilePath);
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
      settings.readySeconds = readyFlag ?? readySeconds(settings, profile.importSeconds);
      const ctx = {
        launcher: command.launcher,
        appArgs: [...command.args, command.spec],
        userConfig: userConfigFor(rest, cwd),
        env,
        cwd,
        cpus,
        profile,
        profilePath,
        eventsDir: resolvePosix(outDir, "gwarden-run"),
        postgres,
        gunicornVersion: version,
        box: box?.boxContext() ?? null,
        planning: {
          lowMemory: args["low-memory"],
          allowThreads: !args["no-threads"],
          postgresMaxConnections: args["max-connections"],
        },
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
      data.notes.push(PAGE_CACHE_NOTE);
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
      if (box !== null) box.startBox(data, tiers[0]!, profile);
      await runLab({ specs, launchFor: launchFor(ctx), settings, outDir, data, say }, interrupts.interrupted);
      if (box !== null) box.finishBox(data, outDir);
    } finally {
      interrupts.release();
      postgres?.remove();
    }
    await printSummary(data, outDir);
  },
});

/** The summary up to its table of every cell, and where the full results are. */
async function printSummary(data: LabRunData, outDir: string): Promise<void> {
  const { renderSummary } = await import("../core/lab/summary.js");
  const { mergeRepeats } = await import("../core/lab/repeats.js");
  const summary = renderSummary({ ...data, cells: mergeRepeats(data.cells) });
  process.stdout.write(
    summary.slice(0, summary.indexOf("\n## All cells")) +
      `\nFull results: ${outDir}/summary.md, matrix.csv, report.html\n`,
  );
}

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
