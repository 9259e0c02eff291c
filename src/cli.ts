#!/usr/bin/env node
/**
 * The gwarden command line: finds the verb, parses its arguments strictly against its declaration
 * (src/core/cli/), and runs it. Help is generated from the same declarations; errors are printed by
 * commands/fatal.ts (and as JSON on stdout under `--json`).
 */
import { wantsJson } from "./core/cli/error-document.js";
import { parseVerbArgs, wantsHelp } from "./core/cli/parse-args.js";
import { GwardenError } from "./core/error.js";
import { reportFatal } from "./commands/fatal.js";
import { loadAllVerbs, loadVerb } from "./commands/verbs.js";

/** Help fits the terminal (at most 100 columns, for reading); 80 when not a terminal. */
function helpWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  return columns === undefined ? 80 : Math.max(40, Math.min(100, columns));
}

async function version(): Promise<string> {
  return (await import("./adapters/cli/package-version.js")).packageVersion();
}

async function cli(argv: readonly string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${await version()}\n`);
    return;
  }
  if (
    first === undefined ||
    first === "--help" ||
    first === "-h" ||
    (first === "help" && rest.length === 0)
  ) {
    const { renderMainHelp } = await import("./core/cli/help.js");
    process.stdout.write(renderMainHelp(await loadAllVerbs(), await version(), helpWidth()));
    return;
  }
  if (first === "help" || wantsHelp(rest)) {
    const { renderVerbHelp } = await import("./core/cli/help.js");
    process.stdout.write(renderVerbHelp(await loadVerb(first === "help" ? rest[0]! : first), helpWidth()));
    return;
  }
  if (first.startsWith("-")) {
    throw new GwardenError("E_USAGE", `Expected a verb before \`${first}\``, {
      hint: "gwarden <verb> [flags]; `gwarden --help` lists the verbs",
    });
  }
  const verb = await loadVerb(first);
  await verb.run({ ...parseVerbArgs(verb, rest), rawArgs: [...rest] });
}

const argv = process.argv.slice(2);
cli(argv).catch((error: unknown) => {
  const json = wantsJson(argv);
  process.exitCode = reportFatal(error, undefined, json ? (text) => process.stdout.write(text) : null);
});
