/**
 * Every verb's declaration against what users read: the help fits 80 columns and shows the app's command
 * where the verb takes one, and every example — in --help, README.md and docs/*.md — parses with the
 * strict parser, so no example prints an unknown flag or a missing value when pasted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadAllVerbs, loadVerb } from "../../../src/commands/verbs.js";
import { renderVerbHelp } from "../../../src/core/cli/help.js";
import { parseVerbArgs, wantsHelp } from "../../../src/core/cli/parse-args.js";
import { shellSplit } from "../../../src/core/argv/shell-split.js";
import { repoRoot } from "../../helpers/gunicorns.js";

const verbs = await loadAllVerbs();

/** The gwarden part of a shell line: after a pipe, before a redirection or a comment. */
function gwardenArgv(line: string): string[] {
  const words = shellSplit(line.replace(/\s#\s.*$/, ""));
  const start = words.indexOf("gwarden");
  const rest = words.slice(start + 1);
  const end = rest.findIndex((w) => w === ">" || w === "<" || w === "|" || w === "&&");
  return end === -1 ? rest : rest.slice(0, end);
}

async function parses(line: string): Promise<void> {
  const [name, ...args] = gwardenArgv(line);
  const verb = await loadVerb(name!);
  if (!wantsHelp(args)) parseVerbArgs(verb, args);
}

/**
 * `gwarden <verb> …` commands in a markdown file: code blocks (fenced or indented) and inline code. Inline
 * code may name flags of a verb without the app's command (`gwarden lab --db-on-box`): its flags must parse.
 */
function documentedCommands(text: string): Array<{ command: string; inline: boolean }> {
  const commands: Array<{ command: string; inline: boolean }> = [];
  const joined = text.replace(/\\\n\s*/g, " ");
  let fenced = false;
  for (const line of joined.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    else if ((fenced || line.startsWith("    ")) && /(^|\|\s*)gwarden [a-z]+(\s|$)/.test(line.trim()))
      commands.push({ command: line.trim(), inline: false });
  }
  // Inline code with arguments; a bare `gwarden run` names the verb, and a synopsis (`[--flag]`,
  // `<app>`, `…`) is not a command to paste.
  for (const [, code] of joined.matchAll(/`(gwarden [a-z]+ [^`]+)`/g)) {
    if (!/[[<…]|\.\.\./.test(code!)) commands.push({ command: code!, inline: true });
  }
  return commands;
}

describe.each(verbs.map((v) => [v.name, v] as const))("gwarden %s", (_name, verb) => {
  it("has help that fits 80 columns, shows the app's command if it takes one, and has examples", () => {
    const help = renderVerbHelp(verb, 80);
    expect(help.split("\n").filter((l) => l.length > 80)).toEqual([]);
    const usage = help.split("\n")[0]!;
    if (verb.command !== undefined) expect(usage).toContain("-- gunicorn [gunicorn args] app:app");
    expect(verb.examples.length).toBeGreaterThan(0);
  });

  it("has examples that parse as printed", async () => {
    for (const example of verb.examples) {
      expect(
        example.command.startsWith(`gwarden ${verb.name}`) ||
          example.command.includes(`| gwarden ${verb.name}`),
      ).toBe(true);
      await parses(example.command);
    }
  });
});

describe("the documentation's commands", () => {
  const files = [
    "README.md",
    ...readdirSync(join(repoRoot, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => join("docs", f)),
  ];
  it.each(files)("%s: every `gwarden <verb> …` parses with the strict parser", async (file) => {
    const bad: string[] = [];
    for (const { command, inline } of documentedCommands(readFileSync(join(repoRoot, file), "utf8"))) {
      await parses(command).catch((error: Error) => {
        if (!(inline && /needs the gunicorn command/.test(error.message)))
          bad.push(`${command}: ${error.message}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it("finds the README's commands (the extraction works)", () => {
    expect(documentedCommands(readFileSync(join(repoRoot, "README.md"), "utf8")).length).toBeGreaterThan(15);
  });
});

describe("gwarden run --help", () => {
  it("lists --no-adaptive, --allow-unauthenticated and the shared planning flags", async () => {
    const help = renderVerbHelp(await loadVerb("run"), 80);
    expect(help).toContain("--adaptive, --no-adaptive");
    expect(help).toContain("--allow-unauthenticated");
    expect(help).toContain("Planning flags:");
    expect(help).toContain("--no-threads");
  });
});
