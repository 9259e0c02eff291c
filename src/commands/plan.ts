/**
 * `gwarden plan [--profile F] [--memory SIZE] [--cpus N] [--db-on-box] [--low-memory] [--supervisor-outside]
 * [--no-threads] [--max-connections N] [--format conf|args|env|json|k8s] [--json] [--explain] [--write [--force]]
 * [-- gunicorn app args]`: detect the box, read the app's profile, plan gunicorn, print the plan (or one config
 * format), or write it where gunicorn reads it (plan-write.ts).
 */
import { defineCommand } from "citty";
import { GwardenError } from "../core/error.js";
import { renderExplain, renderSummary } from "../core/emit/explain.js";
import { emitArgs } from "../core/emit/emit-args.js";
import { emitEnv } from "../core/emit/emit-env.js";
import { emitJson } from "../core/emit/emit-json.js";
import { emitK8s } from "../core/emit/emit-k8s.js";
import { emitConf } from "../core/emit/emit-conf.js";
import { pythonRuntime } from "../adapters/conf/python-runtime.js";
import type { Plan } from "../core/plan/types.js";
import { splitAtDoubleDash } from "./argv.js";
import { planFromFlags, userConfigFor } from "./plan-setup.js";

export { checkProfileApp, cpusFlag, installedVersion, loadProfile } from "./plan-setup.js";

const DEFAULT_PROFILE = ".gwarden/profile.json";
const FORMATS = ["conf", "args", "env", "json", "k8s"] as const;
type Format = (typeof FORMATS)[number];

function formatFlag(value: string | undefined): Format | null {
  if (value === undefined || value === "") return null;
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new GwardenError(
    "E_USAGE",
    `Expected \`--format\` to be one of ${FORMATS.join(", ")}, got \`${value}\``,
  );
}

function render(
  plan: Plan,
  format: Format | null,
  explain: boolean,
  argv: readonly string[],
  cwd: string,
): string {
  switch (format) {
    case "conf":
      return emitConf(plan, userConfigFor(argv, cwd), pythonRuntime());
    case "args":
      return `${emitArgs(plan)}\n`;
    case "env":
      return emitEnv(plan);
    case "json":
      return emitJson(plan);
    case "k8s":
      return emitK8s(plan, argv);
    case null:
      return explain ? renderExplain(plan) : renderSummary(plan);
  }
}

export default defineCommand({
  meta: {
    name: "plan",
    description:
      "Plan gunicorn for this box and app: workers, threads, timeouts, recycling, DB pool, with reasons",
  },
  args: {
    profile: { type: "string", description: `Profile file (default ${DEFAULT_PROFILE} when present)` },
    memory: { type: "string", description: "What-if memory limit (512M, 1G)" },
    cpus: { type: "string", description: "What-if CPUs (1, 0.5)" },
    "db-on-box": {
      type: "boolean",
      description: "PostgreSQL runs on this box: plan its memory and count it",
    },
    "low-memory": { type: "boolean", description: "Survival over throughput (also LOW_MEMORY_MODE=true)" },
    "supervisor-outside": {
      type: "boolean",
      description: "gwarden runs outside the app's cgroup: don't count its memory",
    },
    "no-threads": { type: "boolean", description: "Never use gthread (the app is not thread-safe)" },
    "max-connections": { type: "string", description: "PostgreSQL max_connections (default 100)" },
    format: { type: "string", description: "Print only one format: conf, args, env, json, k8s" },
    explain: { type: "boolean", description: "Print every value with its reason and arithmetic" },
    json: { type: "boolean", description: "Same as --format json" },
    write: {
      type: "boolean",
      description:
        "Write ./gunicorn.conf.py (beside your own: ./gunicorn.gwarden.conf.py), or ./gwarden.env with --format env; prints the diff",
    },
    force: {
      type: "boolean",
      description:
        "With --write: replace a gwarden file that was edited or saved by hand (never your own config)",
    },
  },
  async run({ rawArgs, args }) {
    const { own, rest } = splitAtDoubleDash(rawArgs);
    const cwd = process.cwd();
    const format = args.json === true ? "json" : formatFlag(args.format);
    const plan = await planFromFlags(args, own, rest, cwd);
    if (format !== "json") {
      for (const c of plan.conflicts) process.stderr.write(`gwarden plan: warning: ${c.message}\n`);
    }
    if (args.write === true)
      return (await import("./plan-write.js")).writePlan(plan, format, rest, cwd, args.force === true);
    process.stdout.write(render(plan, format, args.explain === true, rest, cwd));
  },
});
