/**
 * `GUNICORN_CMD_ARGS` beats gunicorn.conf.py and `WEB_CONCURRENCY` sets the default worker count
 * (gunicorn.md §6.1). `run` keeps the non-sizing part of GUNICORN_CMD_ARGS (log options, bind, ...)
 * and drops the sizing flags so the plan holds, reporting each; WEB_CONCURRENCY loses to the config's
 * `workers` and is reported.
 */
import type { Plan } from "../plan/types.js";
import { shellSplit } from "../argv/shell-split.js";
import { parseGunicornArgv } from "../argv/gunicorn-argv.js";
import { plannedValue } from "./argv-rewrite.js";

export interface EnvDecision {
  /** The GUNICORN_CMD_ARGS to launch with ("" when nothing is left). */
  gunicornCmdArgs: string;
  /** One message per conflict found. */
  messages: string[];
}

/** Python-shlex quoting of one word, for re-joining GUNICORN_CMD_ARGS. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Decides what of GUNICORN_CMD_ARGS and WEB_CONCURRENCY survives against the plan. */
export function envConflicts(
  env: { GUNICORN_CMD_ARGS?: string | undefined; WEB_CONCURRENCY?: string | undefined },
  plan: Plan,
  options: { keepArgs: boolean },
): EnvDecision {
  const messages: string[] = [];
  let gunicornCmdArgs = "";
  const raw = env.GUNICORN_CMD_ARGS?.trim() ?? "";
  if (raw !== "") {
    // A dummy launcher and no spec: only the flags matter.
    const command = parseGunicornArgv(["gunicorn", ...shellSplit(raw)]);
    const kept: string[] = [];
    for (const flag of command.managed) {
      const words = flag.value === null ? [flag.flag] : [flag.flag, flag.value];
      const planned = plannedValue(plan, flag.name);
      if (flag.name === "bind" || planned === null || options.keepArgs) {
        if (flag.name === "config") {
          messages.push(
            `GUNICORN_CMD_ARGS: \`${words.join(" ")}\` is ignored (gwarden's config is the one gunicorn loads; pass your config as -c after \`--\`)`,
          );
          continue;
        }
        kept.push(...words);
        if (planned !== null)
          messages.push(
            `GUNICORN_CMD_ARGS sets ${flag.name} = ${flag.value ?? "true"} over the plan's ${planned} (kept: --keep-args)`,
          );
        continue;
      }
      messages.push(
        `GUNICORN_CMD_ARGS: dropped \`${words.join(" ")}\`, it would beat the plan's ${flag.name} = ${planned}`,
      );
    }
    kept.push(...command.args);
    if (command.spec !== null) kept.push(command.spec);
    gunicornCmdArgs = kept.map(quote).join(" ");
  }
  const wc = env.WEB_CONCURRENCY?.trim();
  if (wc !== undefined && wc !== "" && wc !== String(plan.workers)) {
    messages.push(
      `WEB_CONCURRENCY=${wc} is overridden by the plan's workers = ${plan.workers} (the config file beats it)`,
    );
  }
  return { gunicornCmdArgs, messages };
}
