#!/usr/bin/env node
/**
 * The gwarden command line: parses the verb and dispatches. Each verb lives in src/commands/<verb>.ts and
 * is imported only when used, so `gwarden run` (the daemon) never loads what `lab` or `monitor` need.
 */
import { defineCommand, runCommand, renderUsage, type CommandDef } from "citty";
import { reportFatal } from "./commands/fatal.js";

const VERSION = "0.1.0";

const verbs: Record<string, () => Promise<CommandDef>> = {
  detect: () => import("./commands/detect.js").then((m) => m.default as CommandDef),
  profile: () => import("./commands/profile.js").then((m) => m.default as CommandDef),
  plan: () => import("./commands/plan.js").then((m) => m.default as CommandDef),
  doctor: () => import("./commands/doctor.js").then((m) => m.default as CommandDef),
  analyze: () => import("./commands/analyze.js").then((m) => m.default as CommandDef),
  run: () => import("./commands/run.js").then((m) => m.default as CommandDef),
  lab: () => import("./commands/lab.js").then((m) => m.default as CommandDef),
  monitor: () => import("./commands/monitor.js").then((m) => m.default as CommandDef),
};

const main = defineCommand({
  meta: {
    name: "gwarden",
    version: VERSION,
    description: "Keeps Gunicorn alive and fast on small machines.",
  },
  subCommands: verbs,
});

async function cli(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  if (verb === "--version" || verb === "-v") {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const load = verb === undefined ? undefined : verbs[verb];
  if (!load) {
    process.stdout.write(`${await renderUsage(main)}\n`);
    if (verb !== undefined && verb !== "--help" && verb !== "-h" && verb !== "help") {
      process.stderr.write(`gwarden: unknown command \`${verb}\`\n`);
      process.exitCode = 2;
    }
    return;
  }
  const command = await load();
  const before = rest.indexOf("--");
  const flags = before === -1 ? rest : rest.slice(0, before);
  if (flags.includes("--help") || flags.includes("-h")) {
    process.stdout.write(`${await renderUsage(command, main)}\n`);
    return;
  }
  await runCommand(command, { rawArgs: rest });
}

cli(process.argv.slice(2)).catch((error: unknown) => {
  process.exitCode = reportFatal(error);
});
