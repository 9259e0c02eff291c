/**
 * `gwarden plan [flags] [-- gunicorn app args]`: detect the box, read the app's profile, plan gunicorn,
 * print the plan (or one config format), or write it where gunicorn reads it (adapters/conf/plan-write.ts).
 */
import { defineVerb } from "../core/cli/verb.js";
import { PLANNING_FLAGS } from "../core/cli/planning-flags.js";
import { renderExplain, renderSummary } from "../core/emit/explain.js";
import { emitArgs } from "../core/emit/emit-args.js";
import { emitEnv } from "../core/emit/emit-env.js";
import { emitJson } from "../core/emit/emit-json.js";
import { emitK8s } from "../core/emit/emit-k8s.js";
import { emitConf } from "../core/emit/emit-conf.js";
import { pythonRuntime } from "../adapters/conf/python-runtime.js";
import type { Plan } from "../core/plan/types.js";
import { planFromFlags, userConfigFor } from "./plan-setup.js";

const FORMATS = ["conf", "args", "env", "json", "k8s"] as const;
type Format = (typeof FORMATS)[number];

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

export default defineVerb({
  name: "plan",
  summary: "Plan gunicorn for this box and app: workers, threads, timeouts, recycling, DB pool, with reasons",
  command: "optional",
  flags: {
    ...PLANNING_FLAGS,
    format: { type: "enum", choices: FORMATS, description: "Print only one config format" },
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
  notes: [
    "With the app's command after `--`, plan checks the profile belongs to that app and names the flags of that command that would defeat the plan.",
  ],
  examples: [
    { command: "gwarden plan", comment: "for this box, from .gwarden/profile.json if present" },
    {
      command: "gwarden plan --memory 512M --cpus 1 --explain",
      comment: "what-if, with the reason and arithmetic of every value",
    },
    { command: "gwarden plan --format conf > gunicorn.conf.py", comment: "or args, env, json, k8s" },
    {
      command: "gwarden plan -- gunicorn wsgi:app -w 2 --timeout 15",
      comment: "also says which of your flags would defeat the plan",
    },
  ],
  async run({ args, command }) {
    const cwd = process.cwd();
    const format = args.json ? "json" : (args.format ?? null);
    const plan = await planFromFlags(args, command, cwd);
    if (format !== "json") {
      for (const c of plan.conflicts) process.stderr.write(`gwarden plan: warning: ${c.message}\n`);
    }
    if (args.write)
      return (await import("../adapters/conf/plan-write.js")).writePlan(
        plan,
        format,
        command,
        cwd,
        args.force,
      );
    process.stdout.write(render(plan, format, args.explain, command, cwd));
  },
});
